// Classification metrics: the confusion matrix and what derives from it.
//   accuracy = Σ_c M[c, c] / Σ M          precision_c = M[c, c] / Σ_r M[r, c]
//   recall_c = M[c, c] / Σ_k M[c, k]       F1_c = 2·P·R / (P + R)
// M[true, predicted] counts samples. Top-k accuracy: the label is among the k largest scores.
namespace Striate.Training;

/// <summary>A confusion matrix accumulated batch by batch, with accuracy, per-class precision/recall/F1 and top-k accuracy.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;
    private readonly int _k;
    private long _topKHits;

    /// <summary>Creates an empty matrix for <paramref name="classes"/> classes.</summary>
    /// <param name="classes">Number of classes.</param>
    /// <param name="topK">k for <see cref="TopKAccuracy"/> (5 by default, capped at the class count).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public ConfusionMatrix(int classes, int topK = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        Classes = classes;
        _k = Math.Min(topK, classes);
        _counts = new long[classes * classes];
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>k of <see cref="TopKAccuracy"/>.</summary>
    public int TopK => _k;

    /// <summary>Samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>Samples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual * Classes + predicted];

    /// <summary>Counts a batch: the prediction is the arg-max of each row of <paramref name="scores"/>.</summary>
    /// <param name="scores">(N, classes) logits or probabilities.</param>
    /// <param name="labels">N true classes.</param>
    /// <exception cref="ArgumentException">The shapes disagree or a label is out of range.</exception>
    public void Add(Tensor scores, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Rank != 2 || scores.Dims[1] != Classes)
            throw new ArgumentException($"Scores must have shape (N, {Classes}), got {Tensor.ShapeText(scores.Dims)}.", nameof(scores));
        if (scores.Dims[0] != labels.Length)
            throw new ArgumentException($"{labels.Length} labels for {scores.Dims[0]} rows of scores.", nameof(labels));
        var s = scores.AsSpan();
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)Classes)
                throw new ArgumentException($"Label {label} at index {i} is outside the {Classes} classes.", nameof(labels));
            var row = s.Slice(i * Classes, Classes);
            int best = 0, above = 0;
            for (int c = 1; c < Classes; c++) if (row[c] > row[best]) best = c;
            for (int c = 0; c < Classes; c++) if (row[c] > row[label] || (row[c] == row[label] && c < label)) above++;
            if (above < _k) _topKHits++;
            _counts[label * Classes + best]++;
            Total++;
        }
    }

    /// <summary>Fraction of samples whose arg-max is the label (0 when empty).</summary>
    public double Accuracy
    {
        get
        {
            long hits = 0;
            for (int c = 0; c < Classes; c++) hits += this[c, c];
            return Total == 0 ? 0 : (double)hits / Total;
        }
    }

    /// <summary>Fraction of samples whose label is among the <see cref="TopK"/> highest scores (ties broken toward lower class index).</summary>
    public double TopKAccuracy => Total == 0 ? 0 : (double)_topKHits / Total;

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are (0 when none were).</summary>
    public double Precision(int c)
    {
        long predicted = 0;
        for (int r = 0; r < Classes; r++) predicted += this[r, c];
        return predicted == 0 ? 0 : (double)this[c, c] / predicted;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as such (0 when there are none).</summary>
    public double Recall(int c)
    {
        long actual = 0;
        for (int k = 0; k < Classes; k++) actual += this[c, k];
        return actual == 0 ? 0 : (double)this[c, c] / actual;
    }

    /// <summary>Harmonic mean of <see cref="Precision"/> and <see cref="Recall"/> (0 when both are 0).</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
}
