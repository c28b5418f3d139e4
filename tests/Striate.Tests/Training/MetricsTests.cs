using Striate.Training;

namespace Striate.Tests.Training;

public class MetricsTests
{
    [Fact]
    public void ConfusionMatrix_HandComputedExample()
    {
        // Predictions (arg-max): 0, 1, 1, 2, 0 for labels 0, 1, 2, 2, 1.
        var scores = Tensor.FromArray(
        [
            0.9f, 0.05f, 0.05f,
            0.1f, 0.8f, 0.1f,
            0.2f, 0.5f, 0.3f,
            0.1f, 0.1f, 0.8f,
            0.6f, 0.3f, 0.1f,
        ], 5, 3);
        var m = new ConfusionMatrix(3, topK: 2);

        m.Add(scores, [0, 1, 2, 2, 1]);

        Assert.Equal(5, m.Total);
        Assert.Equal(3.0 / 5, m.Accuracy, 12);
        Assert.Equal(1, m[2, 1]);
        Assert.Equal(1, m[1, 0]);
        Assert.Equal(0.5, m.Precision(1), 12);  // predicted 1: samples 1 (ok), 2 (was 2)
        Assert.Equal(0.5, m.Recall(1), 12);     // class 1: samples 1 (ok), 4 (→0)
        Assert.Equal(0.5, m.Recall(2), 12);
        Assert.Equal(1.0, m.Precision(2), 12);
        Assert.Equal(2 * 1.0 * 0.5 / 1.5, m.F1(2), 12);
        Assert.Equal(1.0, m.TopKAccuracy, 12);  // every label is in its row's top 2
    }

    [Fact]
    public void ConfusionMatrix_Empty_ZeroEverywhere()
    {
        var m = new ConfusionMatrix(4);

        Assert.Equal(0, m.Accuracy);
        Assert.Equal(0, m.Precision(0));
        Assert.Equal(0, m.F1(3));
    }

    [Fact]
    public void ConfusionMatrix_BadInput_ThrowsNamingTheParameter()
    {
        var m = new ConfusionMatrix(3);

        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => m.Add(Tensor.Zeros(2, 4), [0, 1])).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => m.Add(Tensor.Zeros(2, 3), [0, 3])).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => m.Add(Tensor.Zeros(2, 3), [0])).ParamName);
    }
}
