using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// How long this machine takes to wake a sleeping thread on another CPU, measured without .NET's HTTP or thread pool:
/// two dedicated threads pinned to the service's and the load generator's CPUs play UDP ping-pong on loopback, one
/// round trip per millisecond, so the receiver is asleep each time. Every CheckUse over loopback pays at least one such
/// round trip, so its percentiles are the floor under the service's, and they vary with the host's load.
/// </summary>
public static class WakeProbe
{
    public sealed record Result(double P50Us, double P99Us, double MaxUs);

    public static Result Run(int serverCpu, int clientCpu, int roundTrips = 2000)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var echo = new Thread(() =>
        {
            Pin(serverCpu);
            var buffer = new byte[16];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                var n = server.ReceiveFrom(buffer, ref from);
                if (n == 1 && buffer[0] == (byte)'q') return;
                server.SendTo(buffer.AsSpan(0, n), from);
            }
        }) { IsBackground = true, Name = "wake-probe-echo" };
        echo.Start();
        var times = new double[roundTrips];
        var measure = new Thread(() =>
        {
            Pin(clientCpu);
            var buffer = new byte[16];
            for (var i = 0; i < roundTrips; i++)
            {
                var start = Stopwatch.GetTimestamp();
                client.SendTo("x"u8, server.LocalEndPoint!);
                client.Receive(buffer);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                Thread.Sleep(1);
            }
            client.SendTo("q"u8, server.LocalEndPoint!);
        }) { Name = "wake-probe" };
        measure.Start();
        measure.Join();
        echo.Join(TimeSpan.FromSeconds(2));
        Array.Sort(times);
        return new Result(times[roundTrips / 2], times[(int)(roundTrips * 0.99)], times[^1]);
    }

    private static void Pin(int cpu)
    {
        if (!OperatingSystem.IsLinux() || cpu < 0) return;
        var mask = new ulong[16];
        mask[cpu / 64] = 1UL << (cpu % 64);
        _ = SchedSetAffinity(0, (nuint)(mask.Length * sizeof(ulong)), mask); // 0: the calling thread
    }

    [DllImport("libc", EntryPoint = "sched_setaffinity")]
    private static extern int SchedSetAffinity(int pid, nuint size, ulong[] mask);
}
