namespace MultiRaft.Linearizability;

/// <summary>
/// A versioned register per key, as the store exposes it: Get returns exactly the current value
/// and version (or not found); every applied write produces a version greater than any before it
/// (versions are opaque otherwise); CompareAndSet applies iff the current version equals the
/// expected one; Create applies iff the key is absent; Delete of an absent key answers not found.
/// </summary>
public sealed class VersionedRegisterModel : IModel<RegisterState>
{
    private readonly bool _versionsRestartAfterDelete;

    /// <param name="versionsRestartAfterDelete">
    /// False (default): a key recreated after a delete must get a version greater than any it had
    /// before. True: versions start afresh after a delete (as etcd's per-key version does).
    /// </param>
    public VersionedRegisterModel(bool versionsRestartAfterDelete = false) =>
        _versionsRestartAfterDelete = versionsRestartAfterDelete;

    /// <inheritdoc />
    public RegisterState Initial { get; } = new(Existence.Absent, null, long.MinValue, false);

    /// <inheritdoc />
    public RegisterState Arbitrary { get; } = new(Existence.Unknown, null, long.MinValue, false);

    /// <inheritdoc />
    public void Step(RegisterState state, Operation operation, List<RegisterState> next)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(next);
        var input = operation.Input;
        if (operation.Outcome == Outcome.Unknown)
        {
            StepUnknown(state, input, next);
            return;
        }

        var output = operation.Output;
        switch (input.Kind)
        {
            case OperationKind.Get when !output.Success:
                if (state.Existence != Existence.Present)
                    next.Add(AbsentAfter(state));
                break;
            case OperationKind.Get:
                if (state.MayHaveValue(output.Value) && state.MayHaveVersion(output.Version))
                    next.Add(Present(output.Value, output.Version));
                break;
            case OperationKind.Put:
                if (state.AcceptsNewVersion(output.Version))
                    next.Add(Present(input.Value, output.Version));
                break;
            case OperationKind.Delete:
                // Success says it existed; not-found says it did not. Either way it is gone now.
                if (state.Existence != (output.Success ? Existence.Absent : Existence.Present))
                    next.Add(Deleted(state));
                break;
            case OperationKind.CompareAndSet when output.Success:
                if (state.MayHaveVersion(input.ExpectedVersion) && output.Version > input.ExpectedVersion
                    && state.AcceptsNewVersion(output.Version))
                    next.Add(Present(input.Value, output.Version));
                break;
            case OperationKind.CompareAndSet:
                if (!state.IsExactly(input.ExpectedVersion))
                    next.Add(state);
                break;
            case OperationKind.Create when output.Success:
                if (state.Existence != Existence.Present && state.AcceptsNewVersion(output.Version))
                    next.Add(Present(input.Value, output.Version));
                break;
            case OperationKind.Create:
                if (state.Existence == Existence.Present)
                    next.Add(state);
                else if (state.Existence == Existence.Unknown)
                    next.Add(state with { Existence = Existence.Present });
                break;
        }
    }

    /// <inheritdoc />
    public string Describe(RegisterState state) => state.ToString();

    // The operation takes effect here, with a version nobody saw; its output is not checked.
    private void StepUnknown(RegisterState state, KvInput input, List<RegisterState> next)
    {
        switch (input.Kind)
        {
            case OperationKind.Get:
                next.Add(state);
                break;
            case OperationKind.Put:
                next.Add(PresentUnseen(state, input.Value));
                break;
            case OperationKind.Delete:
                next.Add(Deleted(state));
                break;
            case OperationKind.CompareAndSet:
                if (state.MayHaveVersion(input.ExpectedVersion))
                    next.Add(new RegisterState(Existence.Present, input.Value,
                        Math.Max(state.Version, input.ExpectedVersion), false));
                if (!state.IsExactly(input.ExpectedVersion))
                    next.Add(state);
                break;
            case OperationKind.Create:
                if (state.Existence != Existence.Present)
                    next.Add(PresentUnseen(state, input.Value));
                if (state.Existence != Existence.Absent)
                    next.Add(state with { Existence = Existence.Present });
                break;
        }
    }

    private static RegisterState Present(string? value, long version) =>
        new(Existence.Present, value, version, true);

    // A write whose version was not seen: greater than anything so far, otherwise unknown.
    private static RegisterState PresentUnseen(RegisterState state, string? value) =>
        new(Existence.Present, value, state.Version, false);

    // Absent; the versions seen so far still bound later writes from below.
    private static RegisterState AbsentAfter(RegisterState state) =>
        new(Existence.Absent, null, state.Version, false);

    private RegisterState Deleted(RegisterState state) =>
        _versionsRestartAfterDelete ? new(Existence.Absent, null, long.MinValue, false) : AbsentAfter(state);
}
