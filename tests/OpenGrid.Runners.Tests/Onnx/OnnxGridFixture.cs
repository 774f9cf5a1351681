using OpenGrid.Provider.Runners;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Onnx;

/// <summary>A real grid (coordinator and two providers as processes) whose providers have og-onnx installed, the
/// way <c>./og</c> sets them up: through <c>$OPENGRID_RUNNERS</c>.</summary>
public sealed class OnnxGridFixture() : TestGrid(
    "onnx", [], new Dictionary<string, string> { [RunnerLocator.Variable] = OnnxRunnerBuild.Directory });
