namespace MultiRaft.Linearizability;

/// <summary>
/// A history as a doubly linked list of call and return events in time order. Linearizing an
/// operation lifts its call and return out of the list; backtracking puts them back in place,
/// each in O(1), because a lifted node keeps its own links.
/// </summary>
internal sealed class EventList
{
    private EventList(Node head) => Head = head;

    /// <summary>A sentinel before the first event.</summary>
    public Node Head { get; }

    /// <summary>
    /// Builds the list. Unknown operations get no return event: they are pending to the end.
    /// At equal times calls come before returns, so operations that touch are concurrent — the
    /// reading that accuses the store of less.
    /// </summary>
    public static EventList Build(IReadOnlyList<Operation> operations)
    {
        var events = new List<(long Time, int Order, int Op)>(operations.Count * 2);
        for (var i = 0; i < operations.Count; i++)
        {
            events.Add((operations[i].InvokeTime, 0, i));
            if (operations[i].Outcome != Outcome.Unknown)
                events.Add((operations[i].ReturnTime, 1, i));
        }

        events.Sort();
        var head = new Node(-1, isCall: false);
        var calls = new Node?[operations.Count];
        var last = head;
        foreach (var (_, order, op) in events)
        {
            var node = new Node(op, isCall: order == 0);
            if (node.IsCall)
                calls[op] = node;
            else
                calls[op]!.Match = node;
            node.Prev = last;
            last.Next = node;
            last = node;
        }

        return new EventList(head);
    }

    /// <summary>Removes a call and its return (if any) from the list.</summary>
    public static void Lift(Node call)
    {
        Unlink(call);
        if (call.Match is { } ret)
            Unlink(ret);
    }

    /// <summary>Undoes <see cref="Lift"/>; must be called in reverse order of lifting.</summary>
    public static void Unlift(Node call)
    {
        if (call.Match is { } ret)
            Relink(ret);
        Relink(call);
    }

    private static void Unlink(Node node)
    {
        node.Prev!.Next = node.Next;
        if (node.Next is not null)
            node.Next.Prev = node.Prev;
    }

    private static void Relink(Node node)
    {
        node.Prev!.Next = node;
        if (node.Next is not null)
            node.Next.Prev = node;
    }

    internal sealed class Node(int op, bool isCall)
    {
        public int Op { get; } = op;

        public bool IsCall { get; } = isCall;

        public Node? Match { get; set; }

        public Node? Prev { get; set; }

        public Node? Next { get; set; }
    }
}
