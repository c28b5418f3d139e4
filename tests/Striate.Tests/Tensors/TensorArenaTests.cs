// The step arena behind Trainer.TrainStep: it lends op outputs and takes back only the storage of
// tensors that joined the autograd graph; anything else made during the step keeps its own array.
namespace Striate.Tests.Tensors;

public class TensorArenaTests
{
    [Fact]
    public void Recycle_GraphTensorStorage_IsLentAgainForTheSameLength()
    {
        var arena = new TensorArena();
        var x = Tensor.Uniform(new Rng(1), -1f, 1f, 2, 3);
        x.RequiresGrad = true;
        var previous = TensorArena.Activate(arena);
        try
        {
            var y = Functional.Relu(x);           // in the graph: its array goes back
            Assert.NotNull(y.GradFn);
            arena.Recycle();
            var z = Functional.Relu(x);
            Assert.Same(GetData(y), GetData(z));
        }
        finally
        {
            TensorArena.Activate(previous);
        }
    }

    [Fact]
    public void Recycle_TensorOutsideTheGraph_KeepsItsStorage()
    {
        var arena = new TensorArena();
        var x = Tensor.Uniform(new Rng(2), -1f, 1f, 4, 4);
        var previous = TensorArena.Activate(arena);
        try
        {
            var kept = Functional.Relu(x);          // x does not require a gradient: not recorded, may outlive the step
            Assert.Null(kept.GradFn);
            var snapshot = kept.ToArray();
            arena.Recycle();
            var next = Functional.Relu(Tensor.Full(-5f, 4, 4));
            Assert.NotSame(GetData(kept), GetData(next));
            Assert.Equal(snapshot, kept.ToArray());
        }
        finally
        {
            TensorArena.Activate(previous);
        }
    }

    [Fact]
    public void Uninitialized_NoActiveArena_AllocatesFreshStorage()
    {
        Assert.Null(TensorArena.Active);
        var x = Tensor.Uniform(new Rng(3), -1f, 1f, 3, 3);
        x.RequiresGrad = true;
        var a = Functional.Relu(x);
        var b = Functional.Relu(x);
        Assert.NotSame(GetData(a), GetData(b));
    }

    private static float[] GetData(Tensor t) => t.Data;
}
