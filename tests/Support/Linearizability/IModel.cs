namespace MultiRaft.Linearizability;

/// <summary>
/// A sequential specification of one key's object. States must be immutable values with value
/// equality: the checker memoises (linearized set, state) pairs.
/// </summary>
/// <typeparam name="TState">The model's state.</typeparam>
public interface IModel<TState>
    where TState : IEquatable<TState>
{
    /// <summary>The state before any operation: the key does not exist.</summary>
    TState Initial { get; }

    /// <summary>
    /// A state about which nothing is known: used to check a window that starts in the middle of a
    /// history, so that whatever happened before the window cannot make it fail.
    /// </summary>
    TState Arbitrary { get; }

    /// <summary>
    /// Adds to <paramref name="next"/> every state the object may be in after applying
    /// <paramref name="operation"/> in <paramref name="state"/> and answering as recorded; adds nothing
    /// when that answer is impossible. Several states are allowed when the answer does not determine
    /// the outcome (an Unknown compare-and-set may or may not have applied). For an Unknown operation
    /// the output is not known and must not be checked, and at least one state must be added: the
    /// checker relies on an Unknown operation always being placeable at the end of a history.
    /// Failed operations never reach the model.
    /// </summary>
    /// <remarks>
    /// The checker prunes with two properties a model must have. Monotone: a state that knows less
    /// (an unseen version) accepts at least what a state that knows more accepts. Stable reads: an
    /// answered operation that leaves some state unchanged changes no state in which it is legal,
    /// except to pin down what was unknown (a read that learns a version).
    /// </remarks>
    void Step(TState state, Operation operation, List<TState> next);

    /// <summary>A human-readable form of a state, for reports.</summary>
    string Describe(TState state);
}
