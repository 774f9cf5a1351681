using System.Runtime.InteropServices;
using OpenGrid.Cli;

// og: the OpenGrid command line. The command tree is in CliApp; each command in Commands/.
// Ctrl-C and SIGTERM cancel the running command, which stops cleanly (og dev stops its children);
// a second Ctrl-C terminates at once.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext signal)
{
    if (stop.IsCancellationRequested)
        return; // second signal: let the default handling terminate the process
    signal.Cancel = true;
    stop.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

return await CliApp.RunAsync(args, Console.Out, Console.Error, CliEnvironment.FromProcess(), stop.Token);
