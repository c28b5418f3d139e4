// The models the CLI can name ("striate train --model lenet5"). One entry per model: adding a
// model is one line in the table below.
using Striate.Layers;

namespace Striate.Models;

/// <summary>Builds the library's models by their command-line names.</summary>
public static class ModelZoo
{
    private sealed record ZooEntry(string Name, string Description, int[] InputShape, Func<int, Rng, Module> Create);

    private static readonly ZooEntry[] Entries =
    [
        new("lenet5", "LeNet-5 (modern: ReLU, max-pooling) for 1×28×28 images", [1, 28, 28], (classes, rng) => LeNet5.Create(classes, rng)),
    ];

    /// <summary>The known model names, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name)];

    /// <summary>Builds the model called <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">A name from <see cref="Names"/>, e.g. <c>lenet5</c>.</param>
    /// <param name="rng">Initialisation randomness.</param>
    /// <param name="classes">Number of output classes.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known model; the message lists the known names.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Module Create(string name, Rng rng, int classes = 10)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return Find(name).Create(classes, rng);
    }

    /// <summary>The input shape (batch excluded) the model called <paramref name="name"/> expects, e.g. (1, 28, 28).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known model; the message lists the known names.</exception>
    public static IReadOnlyList<int> InputShape(string name) => [.. Find(name).InputShape];

    /// <summary>A one-line description of the model called <paramref name="name"/>, for help texts.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known model; the message lists the known names.</exception>
    public static string Describe(string name) => Find(name).Description;

    private static ZooEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Array.Find(Entries, e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.", nameof(name));
    }
}
