using MultiRaft.Client;

namespace MultiRaft.Cli;

/// <summary>Turns the client's exceptions into one line on standard error and an exit code.</summary>
internal static class CliErrors
{
    public static async Task<int> GuardAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (PreconditionFailedException e)
        {
            var current = e.CurrentVersion == 0 ? "absent" : "version " + e.CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await error.WriteLineAsync($"precondition failed: the key is {current}").ConfigureAwait(false);
            return ExitCodes.NotFoundOrPreconditionFailed;
        }
        catch (OperationRefusedException e)
        {
            // The router's reason already says what was refused ("drain refused: ...").
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.NotFoundOrPreconditionFailed;
        }
        catch (NotFoundException e)
        {
            await error.WriteLineAsync("not found: " + e.Message).ConfigureAwait(false);
            return ExitCodes.NotFoundOrPreconditionFailed;
        }
        catch (BadRequestException e)
        {
            await error.WriteLineAsync((e.IsTooLarge ? "too large: " : "refused: ") + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is UnavailableException or ReplicaUnreachableException)
        {
            await error.WriteLineAsync("unavailable: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Unavailable;
        }
        catch (OutcomeUnknownException e)
        {
            await error.WriteLineAsync("outcome unknown: the write may or may not have applied (" + e.Message + ")").ConfigureAwait(false);
            return ExitCodes.OutcomeUnknown;
        }
        catch (MultiRaftException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}
