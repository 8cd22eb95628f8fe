using Astro.Ml.Images;

namespace Astro.Ml.Tests.Images;

/// <summary>Augmentation must keep flux and shape where it should, and be repeatable.</summary>
public sealed class ImageAugmentationTests
{
    private const int Size = 69;

    [Fact]
    public void DihedralTransforms_AreEightDistinctPermutations()
    {
        float[] image = [.. Enumerable.Range(0, 2 * Size * Size).Select(i => (float)i)];
        var seen = new HashSet<string>();
        var output = new float[image.Length];
        for (int k = 0; k < ImageAugmentation.DihedralCount; k++)
        {
            ImageAugmentation.Dihedral(image, 2, Size, k, output);
            Assert.Equal(image.Order(), output.Order());
            Assert.True(seen.Add(string.Join(",", output.Take(Size * 3))), $"transform {k} repeats another");
        }

        ImageAugmentation.Dihedral(image, 2, Size, 0, output);
        Assert.Equal(image, output);
    }

    [Fact]
    public void FlipsOnly_PreserveFluxExactly()
    {
        float[] image = Gaussian(Size, 20, 30, 4, 2);
        var output = new float[image.Length];
        ImageAugmentation.Transform(image, 1, Size, 0, 1, true, true, output);
        Assert.Equal(image.Sum(), output.Sum(), 3);
        Assert.Equal(image[(30 * Size) + 20], output[((Size - 1 - 30) * Size) + (Size - 1 - 20)]);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.1)]
    [InlineData(2.7)]
    public void Rotation_PreservesFluxAndSize(double angle)
    {
        float[] image = Gaussian(Size, 34, 34, 6, 3);
        var output = new float[image.Length];
        ImageAugmentation.Transform(image, 1, Size, angle, 1, false, false, output);
        Assert.InRange(output.Sum() / image.Sum(), 0.99, 1.01);
        Assert.InRange(Radius(output) / Radius(image), 0.98, 1.02);
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(1.3)]
    public void Zoom_ScalesSizeAndFlux(double zoom)
    {
        float[] image = Gaussian(Size, 34, 34, 4, 4);
        var output = new float[image.Length];
        ImageAugmentation.Transform(image, 1, Size, 0, zoom, false, false, output);
        Assert.InRange(Radius(output) / Radius(image) / zoom, 0.97, 1.03);

        // Surface brightness is kept, so the pixel sum scales as zoom².
        Assert.InRange(output.Sum() / image.Sum() / (zoom * zoom), 0.97, 1.03);
    }

    [Fact]
    public void Augment_IsDeterministicFromTheSeed()
    {
        float[] image = Gaussian(Size, 30, 36, 5, 2);
        var a = new float[image.Length];
        var b = new float[image.Length];
        var options = new ImageAugmentationOptions();
        ImageAugmentation.Augment(image, 1, Size, options, new Random(9), a);
        ImageAugmentation.Augment(image, 1, Size, options, new Random(9), b);
        Assert.Equal(a, b);
        ImageAugmentation.Augment(image, 1, Size, options, new Random(10), b);
        Assert.NotEqual(a, b);
    }

    internal static float[] Gaussian(int size, double cx, double cy, double sx, double sy)
    {
        var image = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                image[(y * size) + x] = (float)Math.Exp(-0.5 * ((Math.Pow((x - cx) / sx, 2)) + Math.Pow((y - cy) / sy, 2)));
            }
        }

        return image;
    }

    // √(second moment about the flux-weighted centre): grows with the object's size.
    private static double Radius(float[] image)
    {
        double sum = 0, mx = 0, my = 0;
        for (int i = 0; i < image.Length; i++)
        {
            sum += image[i];
            mx += image[i] * (i % Size);
            my += image[i] * (i / Size);
        }

        mx /= sum;
        my /= sum;
        double m2 = 0;
        for (int i = 0; i < image.Length; i++)
        {
            m2 += image[i] * (Math.Pow((i % Size) - mx, 2) + Math.Pow((i / Size) - my, 2));
        }

        return Math.Sqrt(m2 / sum);
    }
}
