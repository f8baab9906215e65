using System.CommandLine;
using NafNative.Cli.Commands;

namespace NafNative.Cli;

/// <summary>The <c>naf</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses and runs one command line, writing to the given streams (tests pass string writers).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });

    /// <summary>The whole command tree (tests parse against it without starting a process).</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("NafNative: asynchronous NAF reinforcement learning for robot arms, natively in C#.");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(RecordCommand.Create());
        root.Subcommands.Add(ViewCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(DevicesCommand.Create());
        root.Subcommands.Add(HwCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(SimRobotCommand.Create());
        root.Subcommands.Add(TrainCommand.Create(learner: true));
        root.Subcommands.Add(WorkerCommand.Create());
        return root;
    }
}
