// Synthetic videos of a moving shape, for video (Conv3d over time) examples: sample i has class
// i mod 4, the direction the shape moves (right, left, down, up), so no single frame tells the
// class — only the motion does.
//   shape: a filled disc ((x − px)² + (y − py)² ≤ r²) or square (max(|x − px|, |y − py|) ≤ r), chosen
//          at random, r ~ U{1..MaxRadius}
//   motion: speed v ~ U{1..MaxSpeed} pixels per frame; frame t shows the shape at p₀ + t·v·d for the
//          class's direction d; p₀ is drawn so that every frame keeps the shape inside the frame
//   pixels: background u ~ U[0, noise) per pixel and frame, shape pixels a + u, a ~ U[0.6, 1 − noise]
// Shape (N, 1, T, S, S) (N, C, T, H, W), values in [0, 1].
namespace Striate.Data.Synthetic;

/// <summary>Generates moving-shape videos classified by direction of motion (formulas in the file header).</summary>
public static class MovingShapes
{
    /// <summary>The class names, indexed by label: the direction of motion.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(new[] { "right", "left", "down", "up" });

    /// <summary>Generates <paramref name="count"/> videos of <paramref name="frames"/> frames of side <paramref name="size"/>.</summary>
    /// <param name="count">N ≥ 1.</param>
    /// <param name="frames">T ≥ 2.</param>
    /// <param name="size">S: the frame side; the motion must fit: 2·MaxRadius + 1 + (T − 1)·MaxSpeed ≤ S.</param>
    /// <param name="rng">The source of every random value (per video: shape, r, v, start, a, then the noise).</param>
    /// <param name="maxRadius">Largest shape radius ≥ 1 (2 by default).</param>
    /// <param name="maxSpeed">Largest speed ≥ 1 in pixels per frame (1 by default).</param>
    /// <param name="noise">Width of the uniform noise, in [0, 0.4] (0.1 by default).</param>
    /// <returns>Videos (N, 1, T, S, S) with labels 0..3.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range, or the fastest, largest shape cannot cross <paramref name="frames"/> frames inside the picture.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public static ClassificationDataset Generate(int count, int frames, int size, Rng rng, int maxRadius = 2, int maxSpeed = 1, float noise = 0.1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 2);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRadius, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSpeed, 1);
        if (!(noise >= 0 && noise <= 0.4f)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "The noise must be in [0, 0.4].");
        if (2 * maxRadius + 1 + (long)(frames - 1) * maxSpeed > size)
            throw new ArgumentOutOfRangeException(nameof(size), size,
                $"A shape of radius {maxRadius} moving {maxSpeed} pixel(s) per frame for {frames} frames needs a side of at least {2 * maxRadius + 1 + (frames - 1) * maxSpeed}.");
        long plane = (long)size * size, clip = frames * plane;
        if (count * clip > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(count), count, "The videos do not fit in one array.");
        var data = new float[count * clip];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int label = n % 4;
            labels[n] = label;
            bool disc = rng.NextInt(2) == 0;
            int r = 1 + rng.NextInt(maxRadius);
            int v = 1 + rng.NextInt(maxSpeed);
            int travel = (frames - 1) * v;
            (int dx, int dy) = label switch { 0 => (1, 0), 1 => (-1, 0), 2 => (0, 1), _ => (0, -1) };
            // Along the motion the start leaves room for the whole path; across it, anywhere inside.
            int along = r + rng.NextInt(size - 2 * r - travel), across = r + rng.NextInt(size - 2 * r);
            int startAlong = dx + dy > 0 ? along : along + travel;
            (int x0, int y0) = dx != 0 ? (startAlong, across) : (across, startAlong);
            float a = 0.6f + (0.4f - noise) * rng.NextSingle();
            var video = data.AsSpan((int)(n * clip), (int)clip);
            rng.FillUniform(video, 0f, noise);
            for (int t = 0; t < frames; t++)
            {
                int px = x0 + t * v * dx, py = y0 + t * v * dy;
                var frame = video.Slice((int)(t * plane), (int)plane);
                for (int y = py - r; y <= py + r; y++)
                    for (int x = px - r; x <= px + r; x++)
                        if (!disc || (x - px) * (x - px) + (y - py) * (y - py) <= r * r) frame[y * size + x] += a;
            }
        }
        return new ClassificationDataset(Tensor.Wrap(data, [count, 1, frames, size, size]), labels, ClassNames);
    }
}
