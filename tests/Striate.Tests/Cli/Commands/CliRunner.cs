using System.Diagnostics;
using System.IO.Compression;

namespace Striate.Tests.Cli.Commands;

/// <summary>Runs the real striate CLI in a child process, so exit codes and stderr are what a user sees.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        string dll = typeof(Striate.Cli.Program).Assembly.Location;
        // A private working directory: runs without --checkpoint-dir write runs/<date-time> there.
        string cwd = Path.Combine(Path.GetTempPath(), "striate-cwd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(cwd);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = cwd };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("striate did not finish in 120 s: " + string.Join(' ', args)); }
        Directory.Delete(cwd, recursive: true);
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Writes a tiny Fashion-MNIST-shaped dataset (gzipped IDX): each class is a bright bar at a
    /// class-specific row, so a LeNet learns it within an epoch.
    /// </summary>
    public static string WriteTinyDataset(string dir, int trainCount = 640, int testCount = 100)
    {
        Directory.CreateDirectory(dir);
        WriteSplit(dir, "train", trainCount, seed: 1);
        WriteSplit(dir, "t10k", testCount, seed: 2);
        return dir;
    }

    private static void WriteSplit(string dir, string prefix, int count, int seed)
    {
        var rng = new Random(seed);
        var images = new byte[count * 28 * 28];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 10;
            labels[i] = (byte)label;
            for (int j = 0; j < 28 * 28; j++) images[i * 784 + j] = (byte)rng.Next(0, 40);
            int row = 2 + label * 2;
            for (int c = 4; c < 24; c++) images[i * 784 + row * 28 + c] = 250;
        }
        WriteIdx(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), [count, 28, 28], images);
        WriteIdx(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), [count], labels);
    }

    public static void WriteIdx(string path, int[] shape, byte[] data)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write([0, 0, 0x08, (byte)shape.Length]);
        foreach (int d in shape) gz.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        gz.Write(data);
    }
}
