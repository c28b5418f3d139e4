// Element-by-element comparison of tensors against expected values, with failure messages
// that name the first offending element (flat and multi-index), expected, actual, the shape,
// how many elements failed and the tolerance with its reason.
using System.Globalization;
using Xunit.Sdk;

namespace Striate.Tests.TestSupport;

/// <summary>Assertions on tensor values and shapes.</summary>
public static class AssertTensor
{
    /// <summary>Asserts that <paramref name="actual"/> has shape <paramref name="expectedShape"/>.</summary>
    public static void Shape(Tensor actual, IReadOnlyList<int> expectedShape, string what)
    {
        ArgumentNullException.ThrowIfNull(actual);
        if (!actual.Shape.SequenceEqual(expectedShape))
            throw new XunitException($"{what}: expected shape {Tensor.ShapeText([.. expectedShape])}, actual {Tensor.ShapeText(actual.Dims)}.");
    }

    /// <summary>Asserts shape and every value of <paramref name="actual"/> against <paramref name="expected"/> within <paramref name="tolerance"/>.</summary>
    public static void Close(Tensor? actual, IReadOnlyList<int> expectedShape, IReadOnlyList<double> expected, Tolerance tolerance, string what)
    {
        if (actual is null) throw new XunitException($"{what}: expected a tensor of shape {Tensor.ShapeText([.. expectedShape])}, got null.");
        Shape(actual, expectedShape, what);
        Close(actual.AsSpan(), expected, expectedShape, tolerance, what);
    }

    /// <summary>Asserts every value of <paramref name="actual"/> against <paramref name="expected"/>; <paramref name="shape"/> is for the message.</summary>
    public static void Close(ReadOnlySpan<float> actual, IReadOnlyList<double> expected, IReadOnlyList<int> shape, Tolerance tolerance, string what)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(tolerance);
        if (actual.Length != expected.Count)
            throw new XunitException($"{what}: expected {expected.Count} values, actual {actual.Length} (shape {Tensor.ShapeText([.. shape])}).");
        if (tolerance.ScalesWithLargestExpected && expected.Count > 0)
            tolerance = tolerance.ScaledBy(expected.Max(v => double.IsFinite(v) ? Math.Abs(v) : 0));
        int failures = 0, first = -1;
        double worstRatio = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double ratio = tolerance.Ratio(expected[i], actual[i]);
            if (ratio > 1)
            {
                failures++;
                if (first < 0) first = i;
            }
            if (ratio > worstRatio || double.IsNaN(ratio)) worstRatio = ratio;
        }
        if (failures == 0) return;
        double e = expected[first], a = actual[first];
        throw new XunitException(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {failures} of {actual.Length} values out of tolerance. First at flat index {first} {MultiIndex(first, shape)} of shape {Tensor.ShapeText([.. shape])}: " +
            $"expected {e:G9}, actual {a:G9}, |diff| {Math.Abs(e - a):G3} > allowed {tolerance.Allowed(e):G3}. " +
            $"Tolerance {tolerance} ({tolerance.Reason})."));
    }

    /// <summary>Asserts bit-identical values (for determinism checks), naming the first differing index.</summary>
    public static void BitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{what}: lengths differ, expected {expected.Length}, actual {actual.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                throw new XunitException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: not bit-identical at flat index {i} of {expected.Length}: expected {expected[i]:G9}, actual {actual[i]:G9}."));
        }
    }

    /// <summary>Formats a flat index as a multi-index over <paramref name="shape"/>, e.g. <c>[1, 0, 3]</c>.</summary>
    public static string MultiIndex(int flat, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var index = new int[shape.Count];
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            if (shape[d] == 0) return "[]";
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return "[" + string.Join(", ", index) + "]";
    }
}
