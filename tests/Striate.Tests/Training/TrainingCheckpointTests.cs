using Striate.Layers;
using Striate.Serialization;
using Striate.Training;

namespace Striate.Tests.Training;

public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-tc-" + Guid.NewGuid().ToString("N"));

    public TrainingCheckpointTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void StepOnce(Module model, Optimizer optimizer, Rng rng)
    {
        var x = Tensor.Uniform(rng, -1f, 1f, 4, 3);
        optimizer.ZeroGrad();
        Functional.CrossEntropy(model.Forward(x), [0, 1, 1, 0]).Backward();
        optimizer.Step();
    }

    [Fact]
    public void SaveLoad_AdamMidTraining_ContinuesBitIdentically()
    {
        var model = new Sequential(new Linear(3, 5, rng: new Rng(1)), new ReLU(), new Linear(5, 2, rng: new Rng(2)));
        var adam = new Adam(model.Parameters(), lr: 0.01f);
        var data = new Rng(9);
        for (int i = 0; i < 3; i++) StepOnce(model, adam, data);
        var shuffle = new Rng(77);
        shuffle.NextUInt64();
        string path = Path.Combine(_dir, "last.safetensors");

        TrainingCheckpoint.Save(path, model, adam, new TrainingProgress(2, 5, shuffle.GetState()), new Dictionary<string, string> { ["note"] = "x" });
        var loaded = TrainingCheckpoint.Load(path);
        var model2 = loaded.Checkpoint.Model;
        var adam2 = new Adam(model2.Parameters(), lr: 0.5f);
        adam2.ImportState(loaded.Optimizer);

        Assert.Equal(new TrainingProgress(2, 5, shuffle.GetState()).ShuffleRngState, loaded.Progress.ShuffleRngState);
        Assert.Equal((2, 5), (loaded.Progress.CompletedEpochs, loaded.Progress.StepsIntoEpoch));
        Assert.Equal("x", loaded.Checkpoint.Metadata["note"]);
        Assert.Equal(0.01f, adam2.LearningRate);
        var dataA = new Rng(10);
        var dataB = new Rng(10);
        for (int i = 0; i < 3; i++)
        {
            StepOnce(model, adam, dataA);
            StepOnce(model2, adam2, dataB);
        }
        Assert.Equal(model.Parameters().SelectMany(p => p.ToArray()).Select(BitConverter.SingleToInt32Bits),
                     model2.Parameters().SelectMany(p => p.ToArray()).Select(BitConverter.SingleToInt32Bits));
    }

    private static Sequential DropoutNet() =>
        new(new Linear(3, 8, rng: new Rng(1)), new Dropout(0.5f, new Rng(2)), new Linear(8, 2, rng: new Rng(3)), new Dropout1d(0.25f, new Rng(4)));

    [Fact]
    public void SaveLoad_DropoutGenerators_ContinueTheSameMasks()
    {
        // A resumed run must draw the same dropout masks as an uninterrupted one: the layers' generators are saved
        // mid-stream and restored into the rebuilt model.
        var model = DropoutNet();
        var sgd = new Sgd(model.Parameters(), lr: 0.1f);
        var data = new Rng(9);
        for (int i = 0; i < 2; i++) StepOnce(model, sgd, data);
        string path = Path.Combine(_dir, "dropout.safetensors");
        Assert.Equal(["1", "3"], model.NamedRandomSources().Select(s => s.Key));

        TrainingCheckpoint.Save(path, model, sgd, new TrainingProgress(0, 2, new Rng(5).GetState()));
        var loaded = TrainingCheckpoint.Load(path);
        var model2 = loaded.Checkpoint.Model;
        var sgd2 = new Sgd(model2.Parameters(), lr: 0.1f);
        sgd2.ImportState(loaded.Optimizer);
        var x = Tensor.Uniform(new Rng(11), -1f, 1f, 4, 3);

        Assert.Equal(model.Forward(x).ToArray(), model2.Forward(x).ToArray());
        var dataA = new Rng(10);
        var dataB = new Rng(10);
        for (int i = 0; i < 3; i++)
        {
            StepOnce(model, sgd, dataA);
            StepOnce(model2, sgd2, dataB);
        }
        Assert.Equal(model.Parameters().SelectMany(p => p.ToArray()).Select(BitConverter.SingleToInt32Bits),
                     model2.Parameters().SelectMany(p => p.ToArray()).Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData("{\"1\":[\"1\",\"2\",\"3\",\"4\"]}", "do not match")]
    [InlineData("{\"1\":[\"1\",\"2\",\"3\",\"4\"],\"7\":[\"1\",\"2\",\"3\",\"4\"]}", "do not match")]
    [InlineData("{\"1\":[\"1\",\"2\"],\"3\":[\"1\",\"2\",\"3\",\"4\"]}", "not 4 words")]
    [InlineData("{\"1\":[\"0\",\"0\",\"0\",\"0\"],\"3\":[\"1\",\"2\",\"3\",\"4\"]}", "all-zero")]
    [InlineData("{\"1\":[\"zz\",\"2\",\"3\",\"4\"],\"3\":[\"1\",\"2\",\"3\",\"4\"]}", "malformed")]
    public void Load_BadGeneratorRecord_IsRejectedClearly(string record, string expected)
    {
        var model = DropoutNet();
        var sgd = new Sgd(model.Parameters(), lr: 0.1f);
        string path = Path.Combine(_dir, "good.safetensors"), bad = Path.Combine(_dir, "bad.safetensors");
        TrainingCheckpoint.Save(path, model, sgd, new TrainingProgress(0, 0, new Rng(5).GetState()));
        var raw = Checkpoint.Load(path);
        var metadata = raw.Metadata.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        metadata["random_state"] = record;
        Checkpoint.Save(bad, raw.Model, metadata, raw.ExtraTensors);

        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(bad));
        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CheckpointWithoutGeneratorRecord_StillResumes()
    {
        // Checkpoints written before the generators were saved keep loading; their layers keep the rebuilt generators.
        var model = DropoutNet();
        var sgd = new Sgd(model.Parameters(), lr: 0.1f);
        string path = Path.Combine(_dir, "old.safetensors"), old = Path.Combine(_dir, "older.safetensors");
        TrainingCheckpoint.Save(path, model, sgd, new TrainingProgress(1, 0, new Rng(5).GetState()));
        var raw = Checkpoint.Load(path);
        Checkpoint.Save(old, raw.Model, raw.Metadata.Where(e => e.Key != "random_state").ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal), raw.ExtraTensors);

        var loaded = TrainingCheckpoint.Load(old);

        Assert.Equal(1, loaded.Progress.CompletedEpochs);
        Assert.Equal(2, loaded.Checkpoint.Model.NamedRandomSources().Count());
    }

    [Fact]
    public void Load_ModelOnlyCheckpoint_SaysItCannotResume()
    {
        var model = new Sequential(new Linear(3, 2, rng: new Rng(1)));
        string path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, model);

        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path));
        Assert.Contains("cannot resume", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportState_OtherOptimizerType_Throws()
    {
        var model = new Sequential(new Linear(3, 2, rng: new Rng(1)));
        var sgd = new Sgd(model.Parameters(), lr: 0.1f, momentum: 0.9f);
        StepOnce(model, sgd, new Rng(3));

        var e = Assert.Throws<ArgumentException>(() => new Adam(model.Parameters()).ImportState(sgd.ExportState()));
        Assert.Contains("Sgd", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RngState_RestoredMidStream_ContinuesTheSameSequence()
    {
        var a = new Rng(123);
        a.NextUInt64();
        var state = a.GetState();
        var expected = Enumerable.Range(0, 5).Select(_ => a.NextUInt64()).ToArray();
        var b = new Rng(999);

        b.SetState(state);

        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => b.NextUInt64()).ToArray());
        Assert.Throws<ArgumentException>(() => b.SetState([0, 0, 0, 0]));
    }
}
