using System.Runtime.CompilerServices;

namespace MultiRaft.Raft.Tests.Scripted;

/// <summary>
/// Scripted interaction tests: each file under testdata/ is a script whose expected output is
/// written beside each command. Run with MULTIRAFT_REWRITE=1 to regenerate the expectations
/// (then review the diff).
/// </summary>
public class InteractionTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(SourceDir(), "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script(string file)
    {
        var path = Path.Combine(SourceDir(), file);
        var script = Scripted.Script.Parse(File.ReadAllText(path));
        var driver = new ScriptDriver();
        foreach (var step in script.Steps)
        {
            step.Actual = driver.Run(step.Command);
        }

        if (Environment.GetEnvironmentVariable("MULTIRAFT_REWRITE") == "1")
        {
            File.WriteAllText(path, script.Render());
            return;
        }

        foreach (var step in script.Steps)
        {
            Assert.True(step.Expected == step.Actual,
                $"{file}: '{step.Command}'\nexpected:\n{step.Expected}\nactual:\n{step.Actual}");
        }
    }

    // The scripts are read from (and rewritten in) the source tree; a build whose source paths
    // are mapped away reads the copies in the output folder instead.
    private static string SourceDir([CallerFilePath] string self = "")
    {
        var source = Path.Combine(Path.GetDirectoryName(self) ?? "", "testdata");
        return Directory.Exists(source) ? source : Path.Combine(AppContext.BaseDirectory, "Scripted", "testdata");
    }
}
