// Mutation fuzzing of every file format a user can hand Striate (checkpoints, IDX, CIFAR-10/100 records,
// NPY/NPZ arrays, PNG, PGM/PPM and BMP images): each of ≥ 1,000 mutated files
// (bit flips, byte overwrites, truncations, extensions, header-length lies) must load or fail
// with the format's documented exception — never another exception type, a hang, or a huge
// allocation driven by what a header merely claims.
using System.IO.Compression;
using Striate.Data;
using Striate.Layers;
using Striate.Serialization;
using Striate.Training;

namespace Striate.Tests.Fuzz;

public sealed class FileFormatFuzzTests : IDisposable
{
    private const int Mutations = 1000;
    // Largest allocation one load may make: generous for these tiny files (a few KB), far below
    // what a lying header (e.g. 2^31 elements) would cause.
    private const long AllocationBudget = 64L << 20;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-fuzz-" + Guid.NewGuid().ToString("N"));

    public FileFormatFuzzTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(6))
        {
            case 0: // flip a few bits
                for (int i = 0, n = random.Next(1, 8); i < n; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 1: // overwrite a run of bytes
            {
                int at = random.Next(bytes.Length), len = Math.Min(random.Next(1, 16), bytes.Length - at);
                random.NextBytes(bytes.AsSpan(at, len));
                return bytes;
            }
            case 2: // truncate
                return bytes[..random.Next(bytes.Length)];
            case 3: // append garbage
            {
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return [.. bytes, .. extra];
            }
            case 4: // corrupt the first 16 bytes (headers, lengths, magic numbers)
                bytes[random.Next(Math.Min(16, bytes.Length))] = (byte)random.Next(256);
                return bytes;
            default: // huge length field at the start
                if (bytes.Length >= 8) BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), random.NextInt64(long.MaxValue / 2));
                return bytes;
        }
    }

    private void Fuzz(byte[] valid, string extension, Action<string> load, params Type[] allowed)
    {
        var random = new Random(20241121);
        var unexpected = new List<string>();
        for (int i = 0; i < Mutations; i++)
        {
            string path = Path.Combine(_dir, $"m{i}{extension}");
            File.WriteAllBytes(path, Mutate(valid, random));
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                load(path);
            }
            catch (Exception e) when (allowed.Any(t => t.IsInstanceOfType(e)))
            {
                Assert.Contains(Path.GetFileName(path), e.Message, StringComparison.Ordinal);
            }
            catch (Exception e)
            {
                unexpected.Add($"mutation {i}: {e.GetType().Name}: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationBudget, $"mutation {i} allocated {allocated:N0} bytes");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"mutation {i} took {clock.Elapsed}");
            File.Delete(path);
        }
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} mutations escaped with an undocumented exception:\n" + string.Join("\n", unexpected.Take(10)));
    }

    [Fact]
    public void SafeTensorsCheckpoint_ThousandMutations_OnlyClearErrors()
    {
        string valid = Path.Combine(_dir, "valid.safetensors");
        var model = new Sequential(new Linear(3, 4, rng: new Rng(1)), new ReLU(), new Linear(4, 2, rng: new Rng(2)));
        var sgd = new Sgd(model.Parameters(), lr: 0.1f, momentum: 0.9f);
        Functional.CrossEntropy(model.Forward(Tensor.Ones(2, 3)), [0, 1]).Backward();
        sgd.Step();
        TrainingCheckpoint.Save(valid, model, sgd, new TrainingProgress(1, 2, new Rng(3).GetState()));

        // A mutated file may still be a valid safetensors file whose tensors no longer fit the
        // model (CheckpointMismatchException is an IOException) — also a clear, documented error.
        Fuzz(File.ReadAllBytes(valid), ".safetensors", p => TrainingCheckpoint.Load(p), typeof(InvalidDataException), typeof(IOException));
    }

    [Fact]
    public void IdxDataset_ThousandMutations_OnlyClearErrors()
    {
        // A gzipped 20-image IDX file, as Fashion-MNIST ships.
        using var raw = new MemoryStream();
        using (var gz = new GZipStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write([0, 0, 8, 3, 0, 0, 0, 20, 0, 0, 0, 28, 0, 0, 0, 28]);
            var pixels = new byte[20 * 28 * 28];
            new Random(1).NextBytes(pixels);
            gz.Write(pixels);
        }

        Fuzz(raw.ToArray(), ".gz", p => IdxReader.Read(p, expectedRank: 3), typeof(DatasetException));
    }

    [Fact]
    public void IdxDataset_RawMutations_OnlyClearErrors()
    {
        var bytes = new byte[8 + 50];
        bytes[2] = 8; bytes[3] = 1; bytes[7] = 50;
        for (int i = 0; i < 50; i++) bytes[8 + i] = (byte)(i % 10);

        Fuzz(bytes, ".idx", p => IdxReader.Read(p, expectedRank: 1), typeof(DatasetException));
    }

    /// <summary>A small RGB test picture: w×h pixels of a gradient with a square, so every byte of the encodings is used.</summary>
    private static Striate.Imaging.ImageData Picture(int width = 12, int height = 10, int channels = 3)
    {
        var pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    pixels[(y * width + x) * channels + c] = (byte)(x > 3 && x < 8 && y > 2 && y < 7 ? 255 - 40 * c : (x * 20 + y * 7 + c * 60) & 0xFF);
        return new Striate.Imaging.ImageData(width, height, channels, pixels);
    }

    [Fact]
    public void CifarRecords_ThousandMutations_OnlyClearErrors()
    {
        // Four CIFAR-10 records: a label byte (0–9) and 3·32·32 pixel bytes each.
        var bytes = new byte[4 * 3073];
        new Random(2).NextBytes(bytes);
        for (int r = 0; r < 4; r++) bytes[r * 3073] = (byte)(r * 3 % 10);

        Fuzz(bytes, ".bin", p => Cifar.ReadRecords([p], CifarVariant.Cifar10), typeof(DatasetException));
    }

    [Fact]
    public void Cifar100Records_ThousandMutations_OnlyClearErrors()
    {
        // Three CIFAR-100 records: coarse label (0–19), fine label (0–99), 3·32·32 pixel bytes.
        var bytes = new byte[3 * 3074];
        new Random(3).NextBytes(bytes);
        for (int r = 0; r < 3; r++) (bytes[r * 3074], bytes[r * 3074 + 1]) = ((byte)(r * 7 % 20), (byte)(r * 31 % 100));

        Fuzz(bytes, ".bin", p => Cifar.ReadRecords([p], CifarVariant.Cifar100), typeof(DatasetException));
    }

    [Fact]
    public void NpyDataset_ThousandMutations_OnlyClearErrors()
    {
        string images = Path.Combine(_dir, "valid-x.npy"), labels = Path.Combine(_dir, "valid-y.npy");
        Striate.Serialization.Npy.Write(images, Tensor.Uniform(new Rng(4), 0f, 1f, 6, 1, 4, 4));
        Striate.Serialization.Npy.Write(labels, Tensor.FromArray([0f, 1f, 2f, 0f, 1f, 2f], 6));

        // The images file mutated, then the labels file mutated.
        Fuzz(File.ReadAllBytes(images), ".npy", p => NpyDataset.Load(p, labels), typeof(InvalidDataException), typeof(DatasetException));
        Fuzz(File.ReadAllBytes(labels), ".npy", p => NpyDataset.Load(images, p), typeof(InvalidDataException), typeof(DatasetException));
    }

    [Fact]
    public void NpzDataset_ThousandMutations_OnlyClearErrors()
    {
        foreach (bool compress in new[] { false, true })
        {
            string valid = Path.Combine(_dir, $"valid-{compress}.npz");
            Striate.Serialization.Npz.Write(valid, new Dictionary<string, Tensor>
            {
                ["x"] = Tensor.Uniform(new Rng(5), 0f, 1f, 5, 1, 3, 3),
                ["y"] = Tensor.FromArray([1f, 0f, 1f, 0f, 1f], 5),
            }, compress);

            Fuzz(File.ReadAllBytes(valid), ".npz", p => NpyDataset.LoadNpz(p), typeof(InvalidDataException), typeof(DatasetException));
        }
    }

    [Fact]
    public void PngImage_ThousandMutations_OnlyClearErrors()
    {
        Fuzz(Striate.Imaging.Png.Encode(Picture()), ".png", p => ImageFolder.ReadImage(p), typeof(InvalidDataException));
        Fuzz(Striate.Imaging.Png.Encode(Picture(channels: 1)), ".png", p => ImageFolder.ReadImage(p), typeof(InvalidDataException));
    }

    [Fact]
    public void PnmImage_ThousandMutations_OnlyClearErrors()
    {
        // Binary PPM (P6) and PGM (P5).
        Fuzz(Striate.Imaging.Pnm.Encode(Picture()), ".ppm", p => ImageFolder.ReadImage(p), typeof(InvalidDataException));
        Fuzz(Striate.Imaging.Pnm.Encode(Picture(channels: 1)), ".pgm", p => ImageFolder.ReadImage(p), typeof(InvalidDataException));
    }

    [Fact]
    public void BmpImage_ThousandMutations_OnlyClearErrors()
    {
        Fuzz(Striate.Imaging.Bmp.Encode(Picture()), ".bmp", p => ImageFolder.ReadImage(p), typeof(InvalidDataException));
        Fuzz(Striate.Imaging.Bmp.Encode(Picture(), topDown: true), ".bmp", p => ImageFolder.ReadImage(p), typeof(InvalidDataException));
    }
}
