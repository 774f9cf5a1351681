using OpenGrid.Provider.Runners;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Grid;

/// <summary>A real grid (coordinator and two providers as processes) whose providers have og-llm installed, the
/// way <c>./og</c> sets them up: through <c>$OPENGRID_RUNNERS</c>.</summary>
public sealed class LlmGridFixture() : TestGrid(
    "llm", [], new Dictionary<string, string> { [RunnerLocator.Variable] = RunnerBuild.LlmDirectory });
