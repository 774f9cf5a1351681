using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OpenGrid.Runners.Onnx.Imaging;
using OpenGrid.Runners.Onnx.Latents;
using OpenGrid.Runners.Onnx.Model;

namespace OpenGrid.Runners.Onnx;

/// <summary>
/// One <c>og-onnx generate</c> run: check the model file (untrusted: <see cref="ModelFile"/>, then
/// <see cref="DecoderModel.Load"/>), resolve the prompt to a class, draw the latents (<see cref="LatentSampler"/>),
/// decode, and write one PNG per image (its path on stdout as it lands), usage.json, and a summary line on stderr.
/// Every refusal is one line on stderr, <c>og-onnx: …</c>, and a non-zero exit status (<see cref="RunnerExitCodes"/>).
/// </summary>
internal static class OnnxRunner
{
    public static int Generate(GenerateArguments args, TextWriter stdout, TextWriter stderr)
    {
        if (ModelFile.Check(args.ModelPath, args.MaxModelBytes) is { } whyNot)
            return Refuse(stderr, RunnerExitCodes.ModelRefused, whyNot);

        var clock = Stopwatch.StartNew();
        DecoderModel model;
        try
        {
            model = DecoderModel.Load(args.ModelPath, args.Threads);
        }
        catch (ModelRefusedException e)
        {
            return Refuse(stderr, RunnerExitCodes.ModelRefused, e.Message);
        }

        using (model)
        {
            var loaded = clock.Elapsed;
            if (model.Labels.Resolve(args.Prompt, out var promptError) is not { } label)
                return Refuse(stderr, RunnerExitCodes.Usage, promptError!);

            var (width, height) = (model.Signature.Width * args.Scale, model.Signature.Height * args.Scale);
            clock.Restart();
            try
            {
                Directory.CreateDirectory(args.OutDirectory);
                var latents = LatentSampler.Sample(args.Seed, args.Count, model.Signature.LatentSize);
                model.Decode(latents, label, (index, pixels) =>
                {
                    var path = Path.Combine(args.OutDirectory, ImageName(index));
                    File.WriteAllBytes(path, GreyPng.Encode(pixels, model.Signature.Width, model.Signature.Height, args.Scale));
                    stdout.WriteLine(path);
                    stdout.Flush();
                });
                var generated = clock.Elapsed;
                var report = new UsageReport(
                    args.Count, width, height, model.Labels.NameOf(label), label, args.Seed,
                    new FileInfo(args.ModelPath).Length, args.Threads, Math.Round(loaded.TotalMilliseconds, 1),
                    Math.Round(generated.TotalMilliseconds, 1), Math.Round(args.Count / generated.TotalSeconds, 1));
                report.WriteTo(args.UsagePath);
                stderr.WriteLine(
                    $"og-onnx: {report.Images} images of {report.Label} (class {label}), {width}x{height}, " +
                    $"at {report.ImagesPerSecond:0.0} images/s; model loaded in {loaded.TotalMilliseconds:0} ms");
                return RunnerExitCodes.Ok;
            }
            catch (ModelRefusedException e)
            {
                return Refuse(stderr, RunnerExitCodes.ModelRefused, $"{args.ModelPath}: {e.Message}");
            }
            catch (OnnxRuntimeException e)
            {
                return Refuse(stderr, RunnerExitCodes.Failed, $"decoding failed: {OnnxErrors.OneLine(e.Message, args.ModelPath)}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Refuse(stderr, RunnerExitCodes.Failed, $"writing the outputs failed: {e.Message}");
            }
        }
    }

    /// <summary>The file name of image <paramref name="index"/>: image-000.png, image-001.png, ….</summary>
    public static string ImageName(int index) => $"image-{index.ToString("000", CultureInfo.InvariantCulture)}.png";

    private static int Refuse(TextWriter stderr, int exitCode, string message)
    {
        stderr.WriteLine("og-onnx: " + message);
        return exitCode;
    }
}
