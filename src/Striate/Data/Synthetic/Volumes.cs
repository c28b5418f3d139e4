// Synthetic 3-D volumes for Conv3d examples: sample i has class i mod 3, one solid in a noisy cube of
// side S (voxel centres at integer points (x, y, z)):
//   0 ball:     (x − cx)² + (y − cy)² + (z − cz)² ≤ r²
//   1 cube:     max(|x − cx|, |y − cy|, |z − cz|) ≤ r
//   2 cylinder: (x − cx)² + (y − cy)² ≤ r² and |z − cz| ≤ r   (axis along depth)
//   r ~ U{MinRadius..MaxRadius}, centre ~ U{r..S − 1 − r}³; background u ~ U[0, noise) per voxel, solid
//   voxels a + u with a ~ U[0.6, 1 − noise] per volume. Shape (N, 1, S, S, S) (N, C, D, H, W).
namespace Striate.Data.Synthetic;

/// <summary>Generates classified 3-D volumes (formulas in the file header).</summary>
public static class SyntheticVolumes
{
    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(new[] { "ball", "cube", "cylinder" });

    /// <summary>Generates <paramref name="count"/> volumes of side <paramref name="size"/>.</summary>
    /// <param name="count">N ≥ 1.</param>
    /// <param name="size">S ≥ 5.</param>
    /// <param name="rng">The source of every random value (per volume: r, centre, a, then the noise).</param>
    /// <param name="noise">Width of the uniform noise, in [0, 0.4] (0.1 by default).</param>
    /// <param name="minRadius">Smallest r ≥ 1 (2 by default).</param>
    /// <param name="maxRadius">Largest r, in [minRadius, (S − 1)/2]; null for (S − 1)/2.</param>
    /// <returns>Volumes (N, 1, S, S, S) in [0, 1] with labels 0..2.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count, size, noise or radius is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public static ClassificationDataset Generate(int count, int size, Rng rng, float noise = 0.1f, int minRadius = 2, int? maxRadius = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 5);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(noise >= 0 && noise <= 0.4f)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "The noise must be in [0, 0.4].");
        int rMax = maxRadius ?? (size - 1) / 2;
        ArgumentOutOfRangeException.ThrowIfLessThan(minRadius, 1);
        if (rMax < minRadius || rMax > (size - 1) / 2) throw new ArgumentOutOfRangeException(nameof(maxRadius), maxRadius, $"The largest radius must be in [minRadius, {(size - 1) / 2}].");
        long volume = (long)size * size * size;
        if (count * volume > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(count), count, "The volumes do not fit in one array.");
        var data = new float[count * volume];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int label = n % 3;
            labels[n] = label;
            int r = minRadius + rng.NextInt(rMax - minRadius + 1);
            int cx = r + rng.NextInt(size - 2 * r), cy = r + rng.NextInt(size - 2 * r), cz = r + rng.NextInt(size - 2 * r);
            float a = 0.6f + (0.4f - noise) * rng.NextSingle();
            var v = data.AsSpan((int)(n * volume), (int)volume);
            rng.FillUniform(v, 0f, noise);
            for (int z = 0; z < size; z++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                        if (Inside(label, x - cx, y - cy, z - cz, r)) v[(z * size + y) * size + x] += a;
        }
        return new ClassificationDataset(Tensor.Wrap(data, [count, 1, size, size, size]), labels, ClassNames);
    }

    /// <summary>Whether the voxel at offset (dx, dy, dz) belongs to solid <paramref name="label"/> of radius r.</summary>
    internal static bool Inside(int label, int dx, int dy, int dz, int r) => label switch
    {
        0 => dx * dx + dy * dy + dz * dz <= r * r,
        1 => Math.Max(Math.Abs(dx), Math.Max(Math.Abs(dy), Math.Abs(dz))) <= r,
        _ => dx * dx + dy * dy <= r * r && Math.Abs(dz) <= r,
    };
}
