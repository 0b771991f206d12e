using MultiRaft.Raft;

namespace MultiRaft.Grains.Tests.Wire;

public static class Messages
{
    public static Message Append(ulong from, ulong to, ulong index, byte[]? data = null) => new()
    {
        Type = MessageType.Append,
        From = from,
        To = to,
        Term = 3,
        LogTerm = 2,
        Index = index,
        Commit = index,
        Entries = [new Entry(3, index + 1, data ?? [1, 2, 3])],
    };

    public static Message Snapshot(ulong from, ulong to, ulong index, ulong term, byte[] image) => new()
    {
        Type = MessageType.Snapshot,
        From = from,
        To = to,
        Term = term,
        Snapshot = new Snapshot(index, term, new ConfState([1, 2, 3], learners: [4]), image),
    };

    /// <summary>An image whose every byte depends on its position, so a misplaced chunk shows.</summary>
    public static byte[] Image(int length, int seed = 42)
    {
        var image = new byte[length];
        new Random(seed).NextBytes(image);
        return image;
    }
}
