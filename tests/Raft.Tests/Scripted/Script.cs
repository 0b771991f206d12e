using System.Text;

namespace MultiRaft.Raft.Tests.Scripted;

/// <summary>
/// A scripted interaction test file: commands, each followed by "----" and its expected output,
/// then a blank line. Lines starting with '#' are comments. <see cref="Render"/> writes the file
/// back with actual outputs, so MULTIRAFT_REWRITE=1 regenerates the expectations.
/// </summary>
internal sealed class Script
{
    private Script(List<Step> steps) => Steps = steps;

    public List<Step> Steps { get; }

    internal sealed record Step(IReadOnlyList<string> Comments, string Command, string Expected)
    {
        public string Actual { get; set; } = "";
    }

    public static Script Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var steps = new List<Step>();
        var comments = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                if (line.Length > 0)
                {
                    comments.Add(line);
                }

                continue;
            }

            if (i + 1 >= lines.Length || lines[i + 1] != "----")
            {
                throw new FormatException($"line {i + 1}: command '{line}' is not followed by ----");
            }

            var output = new StringBuilder();
            var j = i + 2;
            for (; j < lines.Length && lines[j].Length > 0; j++)
            {
                output.Append(lines[j]).Append('\n');
            }

            steps.Add(new Step(comments, line, output.ToString()));
            comments = [];
            i = j;
        }

        return new Script(steps);
    }

    public string Render()
    {
        var sb = new StringBuilder();
        foreach (var s in Steps)
        {
            foreach (var c in s.Comments)
            {
                sb.Append(c).Append('\n');
            }

            sb.Append(s.Command).Append('\n').Append("----\n").Append(s.Actual).Append('\n');
        }

        return sb.ToString();
    }
}
