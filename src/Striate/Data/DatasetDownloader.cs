// Verified downloads: a file is streamed to a temporary name beside its destination, its SHA-256
// is checked, and only then is it renamed into place. A rename within one directory is atomic,
// so a reader never sees a half-written or unverified file, and an interrupted download leaves
// nothing behind that a later search would mistake for data.
using System.IO.Compression;
using System.Security.Cryptography;

namespace Striate.Data;

/// <summary>How far a download has come; reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="FileName">The name of the file being downloaded, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
/// <param name="BytesReceived">Bytes received so far for this file.</param>
/// <param name="TotalBytes">The file's size from the server's Content-Length, or <see langword="null"/> when unknown.</param>
public readonly record struct DownloadProgress(string FileName, long BytesReceived, long? TotalBytes);

/// <summary>Which bytes a SHA-256 digest covers.</summary>
public enum ChecksumTarget
{
    /// <summary>The file's bytes exactly as stored.</summary>
    FileBytes,

    /// <summary>
    /// The content after gzip decompression when the file starts with the gzip header (1f 8b),
    /// else the bytes as stored: the same digest for a <c>.gz</c> file, a re-compressed copy and the
    /// decompressed file.
    /// </summary>
    DecompressedContent,
}

/// <summary>Downloads a file over HTTP into place only after its SHA-256 digest matches.</summary>
public static class DatasetDownloader
{
    // A stalled body is not covered by HttpClient.Timeout once headers have arrived; give up when
    // no byte arrives for this long.
    internal static readonly TimeSpan ReadIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Downloads <paramref name="source"/> to <paramref name="destinationPath"/>, verifying its SHA-256 first.
    /// </summary>
    /// <remarks>
    /// The body goes to a temporary file in the destination's directory (created if needed); when its
    /// digest equals <paramref name="expectedSha256"/> it is renamed over the destination, otherwise it
    /// is deleted. On any failure, cancellation included, no temporary file remains.
    /// </remarks>
    /// <param name="client">The client to send the request with (not disposed).</param>
    /// <param name="source">The absolute URI of the file.</param>
    /// <param name="destinationPath">Where the verified file ends up.</param>
    /// <param name="expectedSha256">The expected digest, 64 hexadecimal digits (case ignored).</param>
    /// <param name="target">Which bytes the digest covers.</param>
    /// <param name="progress">Optional receiver of progress reports for this file.</param>
    /// <param name="cancellationToken">Cancels the download; the temporary file is removed.</param>
    /// <exception cref="ArgumentException">An argument is null, empty, not absolute, or the digest is not 64 hex digits.</exception>
    /// <exception cref="HttpRequestException">The server cannot be reached, fails mid-transfer, or answers with an error status.</exception>
    /// <exception cref="TimeoutException">The server did not answer, or stopped sending, within the time limit.</exception>
    /// <exception cref="DatasetException">The downloaded file's digest differs from <paramref name="expectedSha256"/>, or it is not valid gzip when <paramref name="target"/> needs decompression.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task DownloadAsync(
        HttpClient client, Uri source, string destinationPath, string expectedSha256, ChecksumTarget target,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(source);
        if (!source.IsAbsoluteUri) throw new ArgumentException($"The source URI '{source}' is not absolute.", nameof(source));
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        ArgumentNullException.ThrowIfNull(expectedSha256);
        if (expectedSha256.Length != 64 || !expectedSha256.All(Uri.IsHexDigit))
            throw new ArgumentException($"Expected SHA-256 '{expectedSha256}' is not 64 hexadecimal digits.", nameof(expectedSha256));

        string fullPath = Path.GetFullPath(destinationPath);
        string directory = Path.GetDirectoryName(fullPath)!;
        string fileName = Path.GetFileName(fullPath);
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $"{fileName}.{Guid.NewGuid():N}.part");
        try
        {
            await ReceiveAsync(client, source, temporary, fileName, progress, cancellationToken).ConfigureAwait(false);

            string actual;
            try
            {
                actual = ComputeSha256(temporary, target);
            }
            catch (InvalidDataException ex)
            {
                throw new DatasetException(
                    $"The file downloaded from {source} is not valid gzip data ({ex.Message}); it was discarded and '{fullPath}' was not written.", fullPath, ex);
            }
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new DatasetException(
                    $"Checksum mismatch for {fileName} downloaded from {source}: expected SHA-256 {expectedSha256.ToLowerInvariant()}, " +
                    $"got {actual}{(target == ChecksumTarget.DecompressedContent ? " (digest of the decompressed content)" : "")}. " +
                    $"The download was discarded and '{fullPath}' was not written.", fullPath);

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            // After a successful move the temporary name no longer exists; otherwise this cleans up.
            File.Delete(temporary);
        }
    }

    private static async Task ReceiveAsync(
        HttpClient client, Uri source, string temporary, string fileName, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{source} did not answer within {client.Timeout.TotalSeconds:0.#} s.", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException(
                    $"{source} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);

            long? total = response.Content.Headers.ContentLength;
            progress?.Report(new DownloadProgress(fileName, 0, total));
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
                await using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                var buffer = new byte[1 << 16];
                long received = 0;
                while (true)
                {
                    idle.CancelAfter(ReadIdleTimeout);
                    int n = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                    if (n == 0) break;
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    received += n;
                    progress?.Report(new DownloadProgress(fileName, received, total));
                }
                if (total is long expected && received != expected)
                    throw new HttpRequestException($"{source} announced {expected} bytes but sent {received}.");
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{source} sent nothing for {ReadIdleTimeout.TotalSeconds:0} s.", ex);
            }
            catch (HttpIOException ex)
            {
                throw new HttpRequestException($"The transfer from {source} failed: {ex.Message}", ex);
            }
        }
    }

    /// <summary>The SHA-256 digest of a file, as 64 lowercase hexadecimal digits.</summary>
    /// <param name="path">The file to hash.</param>
    /// <param name="target">Whether to hash the bytes as stored or the decompressed content of a gzip file.</param>
    /// <returns>The digest in lowercase hexadecimal.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException"><paramref name="target"/> is <see cref="ChecksumTarget.DecompressedContent"/> and the gzip data is corrupt.</exception>
    public static string ComputeSha256(string path, ChecksumTarget target)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (target == ChecksumTarget.DecompressedContent)
        {
            Span<byte> lead = stackalloc byte[2];
            int n = file.ReadAtLeast(lead, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (n == 2 && lead[0] == 0x1f && lead[1] == 0x8b)
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
                return Convert.ToHexStringLower(SHA256.HashData(gzip));
            }
        }
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
