// The striate command: train | summary. Every failure a user can cause ends in a one-line
// message naming the problem and a non-zero exit code, never a stack trace.
using System.CommandLine;
using Striate.Cli.Commands;

namespace Striate.Cli;

/// <summary>Entry point of the <c>striate</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Striate: convolutional neural networks in pure C#.");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(SummaryCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(InferCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(VisualizeCommand.Create());
        root.Subcommands.Add(AugmentCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        return root.Parse(args).Invoke();
    }
}
