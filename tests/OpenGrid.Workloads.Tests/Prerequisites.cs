namespace OpenGrid.Workloads.Tests;

/// <summary>
/// The Debian packages the workloads need. A missing one fails the test with the command that installs it: a
/// workload test that skipped itself would pass on a machine that cannot run the workload.
/// </summary>
internal static class Prerequisites
{
    private const string Install = "run scripts/ensure-deps.sh --for-workloads (or: apt-get install -y blender python3-torch dataset-fashion-mnist)";

    public const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    public static void Blender() =>
        Assert.True(File.Exists("/usr/bin/blender"), $"blender is not installed (Debian package blender); {Install}");

    public static void Torch()
    {
        Assert.True(Directory.Exists("/usr/lib/python3/dist-packages/torch"), $"PyTorch for /usr/bin/python3 is not installed (Debian package python3-torch); {Install}");
        Assert.True(File.Exists(Path.Combine(FashionMnist, "train-images-idx3-ubyte.gz")), $"Fashion-MNIST is not installed (Debian package dataset-fashion-mnist); {Install}");
    }
}
