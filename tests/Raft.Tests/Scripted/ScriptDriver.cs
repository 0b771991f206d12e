using System.Globalization;
using System.Text;
using MultiRaft.Raft.Tests.Fixtures;

namespace MultiRaft.Raft.Tests.Scripted;

/// <summary>
/// Runs script commands against a lockstep <see cref="Network"/> and returns their output:
/// <c>group N [bootstrap]</c>, <c>campaign ID</c>, <c>propose ID TEXT</c>, <c>stabilize</c>,
/// <c>tick ID|all [N]</c>, <c>isolate ID</c>, <c>heal</c>, <c>drop TYPE</c>, <c>read ID REQ</c>,
/// <c>transfer ID TO</c>, <c>conf ID add-voter|add-learner|remove NODE</c>, <c>join ID</c>,
/// <c>compact ID</c>, <c>quiesce ID</c>, <c>status</c>, <c>applied</c>.
/// </summary>
internal sealed class ScriptDriver
{
    private readonly StringBuilder _out = new();
    private Network? _net;

    private Network Net => _net ?? throw new InvalidOperationException("no group yet: start with 'group N'");

    public string Run(string command)
    {
        _out.Clear();
        var a = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (a[0])
        {
            case "group":
                _net = Network.Create(int.Parse(a[1], CultureInfo.InvariantCulture), bootstrap: a.Length > 2 && a[2] == "bootstrap");
                _net.Trace = line => _out.Append(line).Append('\n');
                Status();
                break;
            case "campaign":
                Net[Id(a[1])].Node.Campaign();
                break;
            case "propose":
                Result(Net[Id(a[1])].Node.Propose(Nodes.Bytes(a[2])));
                break;
            case "stabilize":
                Net.Stabilize();
                break;
            case "tick":
                var n = a.Length > 2 ? int.Parse(a[2], CultureInfo.InvariantCulture) : 1;
                if (a[1] == "all")
                {
                    Net.TickAll(n);
                }
                else
                {
                    Net.Tick(Id(a[1]), n);
                }

                break;
            case "isolate":
                Net.Isolate(Id(a[1]));
                break;
            case "heal":
                Net.Heal();
                break;
            case "drop":
                Net.Drop(Enum.Parse<MessageType>(a[1]));
                break;
            case "read":
                Result(Net[Id(a[1])].Node.ReadIndex(Id(a[2])));
                break;
            case "transfer":
                Result(Net[Id(a[1])].Node.TransferLeader(Id(a[2])));
                break;
            case "conf":
                Conf(Net[Id(a[1])].Node, a[2], Id(a[3]));
                break;
            case "join":
                Net.Add(Nodes.Empty(Id(a[1])));
                break;
            case "compact":
                var snap = Net[Id(a[1])].CompactToApplied();
                _out.Append($"snapshot {snap.Term}/{snap.Index} {snap.ConfState}\n");
                break;
            case "quiesce":
                _out.Append(Net[Id(a[1])].Node.TryQuiesce() ? "quiesced\n" : "refused\n");
                break;
            case "status":
                Status();
                break;
            case "applied":
                foreach (var m in Net.Members)
                {
                    _out.Append($"{m.Id}: [{string.Join(' ', m.AppliedCommands)}]\n");
                }

                break;
            default:
                throw new FormatException($"unknown command '{a[0]}'");
        }

        return _out.Length == 0 ? "ok\n" : _out.ToString();
    }

    private static ulong Id(string s) => ulong.Parse(s, CultureInfo.InvariantCulture);

    private void Result(ProposalResult r) => _out.Append(r).Append('\n');

    private void Conf(RawNode node, string kind, ulong id)
    {
        var type = kind switch
        {
            "add-voter" => ConfChangeType.AddVoter,
            "add-learner" => ConfChangeType.AddLearner,
            "remove" => ConfChangeType.RemoveNode,
            _ => throw new FormatException($"unknown change '{kind}'"),
        };
        try
        {
            Result(node.ProposeConfChange(ConfChange.Single(type, id)));
        }
        catch (InvalidConfChangeException e)
        {
            _out.Append("refused: ").Append(e.Message).Append('\n');
        }
    }

    private void Status()
    {
        foreach (var m in Net.Members)
        {
            _out.Append(Describe.Member(m)).Append('\n');
            if (m.Node.Role == RaftRole.Leader)
            {
                foreach (var p in m.Node.GetStatus().Progress.Where(p => p.Id != m.Id))
                {
                    _out.Append($"  {p.Id}: {p.State} match={p.Match} next={p.Next}{(p.IsLearner ? " learner" : "")}\n");
                }
            }
        }
    }
}
