// Decodes the reference files of Fixtures/png (written by Fixtures/generate_png.py: some by PIL, some by
// the script's own encoder and validated with PIL) and compares every sample with expected.json.
using System.Text.Json;
using Striate.Imaging;

namespace Striate.Tests.Imaging;

public sealed class PngFixtureTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "png");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases()) data.Add(c.GetProperty("file").GetString()!);
        return data;
    }

    private static IEnumerable<JsonElement> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "expected.json")));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone())];
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decode_ReferenceFile_MatchesEverySample(string file)
    {
        var expected = Cases().Single(c => c.GetProperty("file").GetString() == file);
        var image = Png.Load(Path.Combine(Directory, file));

        Assert.Equal(expected.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(expected.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(expected.GetProperty("channels").GetInt32(), image.Channels);
        var pixels = expected.GetProperty("pixels").EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray();
        AssertSamples(pixels, image.Pixels, image, file, "8-bit");
        var s16 = expected.GetProperty("samples16");
        if (s16.ValueKind == JsonValueKind.Null)
        {
            Assert.False(image.HasSamples16, $"{file}: an 8-bit-or-less file must not report 16-bit samples");
        }
        else
        {
            Assert.True(image.HasSamples16, $"{file}: 16-bit samples missing");
            AssertSamples([.. s16.EnumerateArray().Select(v => (ushort)v.GetInt32())], image.Samples16.ToArray(), image, file, "16-bit");
        }
    }

    [Fact]
    public void Fixtures_CoverEveryColourTypeBitDepthAndInterlace()
    {
        var names = Cases().Select(c => c.GetProperty("file").GetString()!).ToHashSet();
        foreach (var (ct, depths) in new[] { (0, new[] { 1, 2, 4, 8, 16 }), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16]) })
            foreach (int d in depths)
            {
                Assert.Contains($"hand_ct{ct}_d{d}.png", names);
                Assert.Contains($"hand_ct{ct}_d{d}_adam7.png", names);
            }
    }

    private static void AssertSamples<T>(T[] expected, T[] actual, ImageData image, string file, string what) where T : IEquatable<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i].Equals(actual[i])) continue;
            int pixel = i / image.Channels;
            Assert.Fail($"{file} ({what}): row {pixel / image.Width}, column {pixel % image.Width}, channel {i % image.Channels}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
