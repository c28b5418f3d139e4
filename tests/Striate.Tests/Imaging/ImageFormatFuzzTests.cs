// Mutation fuzzing of the PGM/PPM, BMP and CIFAR record readers: 1,000 mutated files each (bit
// flips, overwritten runs, truncations, appended garbage, corrupted headers, huge size fields) must
// load or fail with the documented exception naming the file — never another exception type or an
// allocation driven by what a header merely claims.
using System.Buffers.Binary;
using System.Text;
using Striate.Data;
using Striate.Imaging;

namespace Striate.Tests.Imaging;

public sealed class ImageFormatFuzzTests : IDisposable
{
    private const int Mutations = 1000;
    // Far above what these few-KB files need, far below what a lying header (2^31 pixels) would cost.
    private const long AllocationBudget = 64L << 20;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-imgfuzz-" + Guid.NewGuid().ToString("N"));

    public ImageFormatFuzzTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(6))
        {
            case 0:
                for (int i = 0, n = random.Next(1, 8); i < n; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1:
            {
                int at = random.Next(bytes.Length), len = Math.Min(random.Next(1, 16), bytes.Length - at);
                random.NextBytes(bytes.AsSpan(at, len));
                return bytes;
            }
            case 2:
                return bytes[..random.Next(bytes.Length)];
            case 3:
            {
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return [.. bytes, .. extra];
            }
            case 4:
                bytes[random.Next(Math.Min(32, bytes.Length))] = (byte)random.Next(256);
                return bytes;
            default:
            {
                // A huge or negative 32-bit field somewhere in the first 40 bytes (BMP sizes and offsets live there).
                int at = random.Next(Math.Max(1, Math.Min(37, bytes.Length - 4)));
                if (bytes.Length >= at + 4) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), random.Next(int.MinValue, int.MaxValue));
                return bytes;
            }
        }
    }

    private void Fuzz(byte[] valid, string extension, Action<string> load, Type allowed)
    {
        var random = new Random(20240615);
        var unexpected = new List<string>();
        int loaded = 0;
        for (int i = 0; i < Mutations; i++)
        {
            string path = Path.Combine(_dir, $"m{i}{extension}");
            File.WriteAllBytes(path, Mutate(valid, random));
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                load(path);
                loaded++;
            }
            catch (Exception e) when (allowed.IsInstanceOfType(e))
            {
                Assert.Contains(Path.GetFileName(path), e.Message, StringComparison.Ordinal);
            }
            catch (Exception e)
            {
                unexpected.Add($"mutation {i}: {e.GetType().Name}: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationBudget, $"mutation {i} allocated {allocated:N0} bytes");
            File.Delete(path);
        }
        Assert.True(unexpected.Count == 0, string.Join(Environment.NewLine, unexpected.Take(10)));
        Assert.InRange(loaded, 1, Mutations - 1); // some mutations stay valid, most do not
    }

    [Fact]
    public void Pnm_MutatedFiles_GiveOnlyInvalidDataErrors()
    {
        var rgb = new ImageData(9, 7, 3, [.. Enumerable.Range(0, 189).Select(i => (byte)(i * 7))]);
        Fuzz(Pnm.Encode(rgb), ".ppm", p => Pnm.Load(p), typeof(InvalidDataException));
        var ascii = new StringBuilder("P2\n# fuzz\n6 5\n300\n");
        for (int i = 0; i < 30; i++) ascii.Append(i * 10).Append(i % 6 == 5 ? '\n' : ' ');
        Fuzz(Encoding.ASCII.GetBytes(ascii.ToString()), ".pgm", p => Pnm.Load(p), typeof(InvalidDataException));
    }

    [Fact]
    public void Bmp_MutatedFiles_GiveOnlyInvalidDataErrors()
    {
        var rgb = new ImageData(7, 6, 3, [.. Enumerable.Range(0, 126).Select(i => (byte)(i * 5))]);
        Fuzz(Bmp.Encode(rgb), ".bmp", p => Bmp.Load(p), typeof(InvalidDataException));
    }

    [Fact]
    public void CifarRecords_MutatedFiles_GiveOnlyDatasetErrors()
    {
        var valid = Striate.Tests.Data.CifarTests.Records(CifarVariant.Cifar100, (3, 40), (19, 99));
        Fuzz(valid, ".bin", p => Cifar.ReadRecords([p], CifarVariant.Cifar100), typeof(DatasetException));
    }
}
