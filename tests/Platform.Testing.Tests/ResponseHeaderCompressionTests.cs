using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Platform.ServiceDefaults;
using Xunit;

namespace Platform.Testing.Tests;

/// <summary>
/// Services do not enter response headers in the HTTP/2 dynamic table: every response carries a new X-Correlation-Id
/// (which the table would take in and evict on every call), and callers multiplexed on one connection by a gateway
/// would otherwise share one compression context. Seen on the wire: the same response twice is encoded the same way,
/// where dynamic compression would shrink the second to table references.
/// </summary>
public sealed class ResponseHeaderCompressionTests
{
    [Fact]
    public async Task Repeated_responses_on_one_connection_are_encoded_without_the_dynamic_table()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Configuration.AddInMemoryCollection(TestTokens.Shared.AuthConfiguration());
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapGet("/work", (HttpContext http) =>
        {
            http.Response.Headers["x-ward-status"] = "open";
            return "done";
        }).AllowAnonymous();
        await app.StartAsync();

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var send = new List<byte>(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        send.AddRange(Frame(type: 0x4, flags: 0, streamId: 0, [])); // SETTINGS
        foreach (var id in new[] { 1, 3 }) send.AddRange(Frame(type: 0x1, flags: 0x5, streamId: id, RequestHeaders(port, $"req-{id:0000}")));
        await stream.WriteAsync(send.ToArray());

        // Read until both responses' HEADERS frames are in; keep each header block as sent.
        var blocks = new Dictionary<int, byte[]>();
        var header = new byte[9];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (blocks.Count < 2)
        {
            await stream.ReadExactlyAsync(header, timeout.Token);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, timeout.Token);
            var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7fffffff);
            if (header[3] == 0x4 && (header[4] & 0x1) == 0) await stream.WriteAsync(Frame(0x4, 0x1, 0, []), timeout.Token); // ack SETTINGS
            if (header[3] == 0x1 && streamId is 1 or 3) blocks[streamId] = payload;
        }

        // Same status, same headers, correlation ids of the same length (only the date may differ, in a fixed-width format).
        Assert.Equal(blocks[1].Length, blocks[3].Length);
        // With the dynamic table, the second block would refer to the first's entry instead of spelling the name again.
        Assert.Contains("x-ward-status", Encoding.ASCII.GetString(blocks[1]));
        Assert.Contains("x-ward-status", Encoding.ASCII.GetString(blocks[3]));
        await app.StopAsync();
    }

    private static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)streamId);
        payload.CopyTo(frame, 9);
        return frame;
    }

    // A GET /work header block: every field a literal without indexing, no Huffman (RFC 7541 6.2.2).
    private static byte[] RequestHeaders(int port, string correlationId)
    {
        var block = new List<byte>();
        void Field(string name, string value)
        {
            block.Add(0x00);
            block.Add((byte)name.Length);
            block.AddRange(Encoding.ASCII.GetBytes(name));
            block.Add((byte)value.Length);
            block.AddRange(Encoding.ASCII.GetBytes(value));
        }
        Field(":method", "GET");
        Field(":scheme", "http");
        Field(":authority", $"127.0.0.1:{port}");
        Field(":path", "/work");
        Field("x-correlation-id", correlationId);
        return block.ToArray();
    }
}
