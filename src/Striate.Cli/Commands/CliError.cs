// Turning exceptions a user can cause into a clear message and an exit code.
using Striate.Data;
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
    /// <summary>A bug in Striate: an exception nobody expected.</summary>
    public const int InternalError = 70;
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
                                      or InvalidOperationException or NotSupportedException or HttpRequestException or FormatException
                                      or DatasetException)
        {
            return Report("error", MessageOf(e), BadInput);
        }
        catch (Exception e)
        {
            return Report("internal error", $"{e.GetType().Name}: {e.Message} (please report this with the command you ran)", InternalError);
        }
    }

    /// <summary>The exception's message without .NET's " (Parameter 'x')" suffix, which means nothing to a CLI user.</summary>
    private static string MessageOf(Exception e) =>
        e is ArgumentException { ParamName: { } name } a ? a.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;

    private static int Report(string kind, string message, int code)
    {
        // Plain text: a terminal-width wrap or colour codes would mangle the message in logs and pipes.
        Console.Error.WriteLine($"{kind}: {message}");
        return code;
    }
}
