// Turning exceptions a user can cause into a clear message and an exit code.
using Spectre.Console;
using Striate.Training;

namespace Striate.Cli.Commands;

/// <summary>Exit codes and error reporting shared by the commands.</summary>
public static class CliError
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>Bad input: data, arguments, files.</summary>
    public const int BadInput = 1;
    /// <summary>Training diverged (NaN/Inf loss).</summary>
    public const int Diverged = 3;
    /// <summary>Interrupted by the user.</summary>
    public const int Cancelled = 130;

    /// <summary>Runs <paramref name="body"/>; expected failures print one clear line on stderr and give a non-zero code.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (NonFiniteLossException e)
        {
            return Report("training diverged", e.Message, Diverged);
        }
        catch (OperationCanceledException)
        {
            return Report("interrupted", "the run was cancelled.", Cancelled);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
                                      or InvalidOperationException or NotSupportedException or HttpRequestException or FormatException)
        {
            return Report("error", e.Message, BadInput);
        }
    }

    private static int Report(string kind, string message, int code)
    {
        var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        err.MarkupLine($"[red]{kind}:[/] {Markup.Escape(message)}");
        return code;
    }
}
