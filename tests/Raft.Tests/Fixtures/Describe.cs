using System.Text;

namespace MultiRaft.Raft.Tests.Fixtures;

/// <summary>Compact, stable text for Readys, entries and members (scripted tests compare it verbatim).</summary>
internal static class Describe
{
    public static string Entry(Entry e) => e.Type switch
    {
        EntryType.ConfChange => $"{e.Term}/{e.Index} conf({ConfChange.Decode(e.Data)})",
        _ when e.Data.Length == 0 => $"{e.Term}/{e.Index} empty",
        _ => $"{e.Term}/{e.Index} \"{Encoding.UTF8.GetString(e.Data.Span)}\"",
    };

    public static string Ready(ReadyView rd)
    {
        var parts = new List<string>();
        if (rd.SoftState is { } ss)
        {
            parts.Add($"{ss.Role} lead={ss.Lead}");
        }

        if (rd.HardState is { } hs)
        {
            parts.Add($"hs=(term {hs.Term} vote {hs.Vote} commit {hs.Commit})");
        }

        if (rd.Snapshot is { } snap)
        {
            parts.Add($"install {snap.Term}/{snap.Index}");
        }

        if (rd.Entries.Length > 0)
        {
            parts.Add($"append [{string.Join(", ", rd.Entries.Select(Entry))}]");
        }

        if (rd.CommittedEntries.Length > 0)
        {
            parts.Add($"apply [{string.Join(", ", rd.CommittedEntries.Select(Entry))}]");
        }

        if (rd.ReadStates.Length > 0)
        {
            parts.Add($"reads [{string.Join(", ", rd.ReadStates.Select(r => $"{r.RequestId}@{r.Index}"))}]");
        }

        if (rd.MustSync)
        {
            parts.Add("sync");
        }

        return parts.Count == 0 ? "(messages only)" : string.Join(" | ", parts);
    }

    public static string Member(Member m)
    {
        var n = m.Node;
        var s = $"{m.Id}: {n.Role} term={n.Term} lead={n.Lead} commit={n.Committed} applied={n.Applied} last={n.LastIndex}";
        if (n.IsQuiesced)
        {
            s += " quiesced";
        }

        return s;
    }
}
