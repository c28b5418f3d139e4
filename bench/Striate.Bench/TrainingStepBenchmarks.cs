// One LeNet-5 training step at batch 64 (forward, cross-entropy, backward, SGD): the number the
// CLI's train_images_per_sec comes from, with bytes allocated per step.
//   LeNet5Step:       Trainer.TrainStep, the trainer's steady step (activations lent from a step arena,
//                     gradient storage reused): allocates close to nothing.
//   LeNet5StepManual: the same step written out by hand with ZeroGrad/Backward/Step, as user code
//                     would: every activation and gradient is a fresh allocation.
using BenchmarkDotNet.Attributes;
using Striate.Layers;
using Striate.Models;
using Striate.Training;

namespace Striate.Bench;

[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Module _model = null!;
    private Sgd _sgd = null!;
    private Striate.Tensor _images = null!;
    private readonly int[] _labels = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Striate.Rng(1);
        _model = LeNet5.Create(rng: rng);
        _sgd = new Sgd(_model.Parameters(), 0.05f, 0.9f);
        _images = Striate.Tensor.Uniform(rng, 0f, 1f, 64, 1, 28, 28);
    }

    [Benchmark]
    public float LeNet5Step() => Trainer.TrainStep(_model, _images, _labels, _sgd).Loss;

    [Benchmark]
    public float LeNet5StepManual()
    {
        var loss = Striate.Functional.CrossEntropy(_model.Forward(_images), _labels);
        _sgd.ZeroGrad();
        loss.Backward();
        _sgd.Step();
        return loss.Item();
    }
}
