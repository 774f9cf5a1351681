using System.IO.Compression;
using System.Numerics.Tensors;

namespace OpenGrid.Runners.Tests.Onnx;

/// <summary>
/// The 10,000 Fashion-MNIST test images and their labels (Debian <c>dataset-fashion-mnist</c>), read from the idx
/// files, as a yardstick for generated images: the label of the nearest real image (1-nearest-neighbour, ≈85%
/// right on real Fashion-MNIST images).
/// </summary>
internal sealed class FashionMnistTestSet
{
    public const string Folder = "/usr/share/datasets/fashion-mnist";
    public const int Classes = 10, Side = 28;

    private readonly float[][] images;
    private readonly byte[] labels;

    private FashionMnistTestSet(float[][] images, byte[] labels)
    {
        this.images = images;
        this.labels = labels;
    }

    public static FashionMnistTestSet Load()
    {
        const int pixels = Side * Side;
        var data = ReadIdx("t10k-images-idx3-ubyte.gz", headerBytes: 16);
        var labels = ReadIdx("t10k-labels-idx1-ubyte.gz", headerBytes: 8);
        Assert.Equal(labels.Length * pixels, data.Length);
        var images = Enumerable.Range(0, labels.Length)
            .Select(i => data.AsSpan(i * pixels, pixels).ToArray().Select(b => b / 255f).ToArray())
            .ToArray();
        return new FashionMnistTestSet(images, labels);
    }

    /// <summary>The label of the real image nearest (Euclidean) to <paramref name="image"/>, 28×28 in 0..1.</summary>
    public int NearestLabel(float[] image)
    {
        var (best, bestDistance) = (0, float.MaxValue);
        for (var i = 0; i < images.Length; i++)
        {
            var distance = TensorPrimitives.Distance(images[i], image);
            if (distance < bestDistance)
                (best, bestDistance) = (i, distance);
        }

        return labels[best];
    }

    private static byte[] ReadIdx(string name, int headerBytes)
    {
        var path = Path.Combine(Folder, name);
        Assert.True(File.Exists(path), $"{path} is missing: apt-get install dataset-fashion-mnist (scripts/ensure-deps.sh --for-tests)");
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var data = new MemoryStream();
        gzip.CopyTo(data);
        return data.ToArray()[headerBytes..];
    }
}
