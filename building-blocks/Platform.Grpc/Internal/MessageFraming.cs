using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Platform.Grpc.Internal;

/// <summary>Length-prefixed messages: a 1-byte compressed flag, a 4-byte big-endian length, then the message.</summary>
internal static class MessageFraming
{
    private const int SmallMessageSize = 4096 - GrpcProtocol.HeaderSize;

    /// <summary>Takes one whole frame off the front of <paramref name="buffer"/>, or returns false if more bytes are needed.</summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        compressed = false;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        Span<byte> copy = stackalloc byte[GrpcProtocol.HeaderSize];
        ReadOnlySpan<byte> header = buffer.FirstSpan.Length >= GrpcProtocol.HeaderSize ? buffer.FirstSpan : copy;
        if (buffer.FirstSpan.Length < GrpcProtocol.HeaderSize)
        {
            buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(copy);
        }

        if (header[0] > 1)
        {
            throw new RpcException(StatusCode.Internal, "Message header has an invalid compressed flag.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(1, 4));
        // Refuse as soon as the prefix is read, without waiting for (or buffering) the oversized body.
        if (length > (uint)maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message larger than max ({length} vs. {maxSize}).");
        }

        if (buffer.Length < GrpcProtocol.HeaderSize + length)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        compressed = header[0] == 1;
        return true;
    }

    /// <summary>Reads the next message, or default when the stream ended cleanly between messages.</summary>
    public static async ValueTask<(T? Message, bool Compressed)> ReadMessageAsync<T>(
        PipeReader reader, string? encoding, int maxSize, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool found;
            bool compressed;
            ReadOnlySequence<byte> payload;
            try
            {
                found = TryReadFrame(ref buffer, maxSize, out compressed, out payload);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw;
            }

            if (found)
            {
                T message;
                try
                {
                    message = Parse(payload, compressed, encoding, maxSize, parser);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }

                return (message, compressed);
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                if (buffer.Length > 0)
                {
                    throw new RpcException(StatusCode.Internal, "Incomplete message: the stream ended inside a length-prefixed message.");
                }

                return (default, false);
            }

            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new OperationCanceledException();
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// The synchronous fast path of <see cref="ReadSingleMessageAsync{T}"/>: when the whole body has already arrived
    /// (the usual case for a small unary request), parse it without any async machinery. False means "go async".
    /// </summary>
    public static bool TryReadSingleMessage<T>(PipeReader reader, string? encoding, int maxSize, MessageParser<T> parser, out T message, out bool compressed)
        where T : IMessage<T>
    {
        message = default!;
        compressed = false;
        if (!reader.TryRead(out var result))
        {
            return false;
        }

        if (!result.IsCompleted)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            return false;
        }

        var buffer = result.Buffer;
        try
        {
            message = ParseSingle(ref buffer, encoding, maxSize, parser, out compressed);
            return true;
        }
        finally
        {
            reader.AdvanceTo(result.Buffer.End);
        }
    }

    private static T ParseSingle<T>(ref ReadOnlySequence<byte> buffer, string? encoding, int maxSize, MessageParser<T> parser, out bool compressed)
        where T : IMessage<T>
    {
        if (buffer.Length == 0)
        {
            throw new RpcException(StatusCode.Internal, "Request ended without a message.");
        }

        if (!TryReadFrame(ref buffer, maxSize, out compressed, out var payload))
        {
            throw new RpcException(StatusCode.Internal, "Incomplete message: the stream ended inside a length-prefixed message.");
        }

        if (buffer.Length > 0)
        {
            throw new RpcException(StatusCode.Internal, "More than one request message on a call that takes a single request.");
        }

        return Parse(payload, compressed, encoding, maxSize, parser);
    }

    /// <summary>
    /// Reads a request that must be exactly one message: waits for the end of the body (bounded by the size limit, checked
    /// as soon as the prefix arrives), then parses one frame and refuses anything after it.
    /// </summary>
    public static async ValueTask<(T Message, bool Compressed)> ReadSingleMessageAsync<T>(
        PipeReader reader, string? encoding, int maxSize, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!result.IsCompleted)
            {
                if (result.IsCanceled)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    throw new OperationCanceledException();
                }

                // Fail early, so what is buffered stays bounded by one message: a declared length over the limit, or
                // bytes after a complete message (a single-request call cannot have a second one).
                if (buffer.Length >= GrpcProtocol.HeaderSize)
                {
                    var probe = buffer;
                    try
                    {
                        if (TryReadFrame(ref probe, maxSize, out _, out _) && probe.Length > 0)
                        {
                            throw new RpcException(StatusCode.Internal, "More than one request message on a call that takes a single request.");
                        }
                    }
                    catch
                    {
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        throw;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            try
            {
                var message = ParseSingle(ref buffer, encoding, maxSize, parser, out var compressed);
                return (message, compressed);
            }
            finally
            {
                reader.AdvanceTo(result.Buffer.End);
            }
        }
    }

    private static T Parse<T>(ReadOnlySequence<byte> payload, bool compressed, string? encoding, int maxSize, MessageParser<T> parser)
        where T : IMessage<T>
    {
        if (compressed)
        {
            if (encoding is null || string.Equals(encoding, GrpcProtocol.Identity, StringComparison.OrdinalIgnoreCase))
            {
                throw new RpcException(StatusCode.Internal, "Message is flagged compressed but no grpc-encoding was declared.");
            }

            if (!string.Equals(encoding, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase))
            {
                throw new RpcException(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}'.");
            }

            payload = new ReadOnlySequence<byte>(Decompress(payload, maxSize));
        }

        try
        {
            return payload.IsSingleSegment ? parser.ParseFrom(payload.FirstSpan) : parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new RpcException(StatusCode.Internal, "Failed to deserialize the message.");
        }
    }

    private static byte[] Decompress(ReadOnlySequence<byte> payload, int maxSize)
    {
        try
        {
            using var input = new MemoryStream(payload.ToArray(), writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = gzip.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (output.Length + read > maxSize)
                    {
                        throw new RpcException(StatusCode.ResourceExhausted, $"Decompressed message larger than max ({maxSize}).");
                    }

                    output.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            throw new RpcException(StatusCode.Internal, "Failed to decompress the message.");
        }
    }

    /// <summary>Writes one frame to a buffer writer (the server's response pipe).</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message, int maxSize, bool compress, CompressionLevel level)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {maxSize}).");
        }

        if (compress)
        {
            var compressed = Compress(message, size, level);
            var header = writer.GetSpan(GrpcProtocol.HeaderSize);
            header[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)compressed.Length);
            writer.Advance(GrpcProtocol.HeaderSize);
            writer.Write(compressed);
            return;
        }

        if (size <= SmallMessageSize)
        {
            // One span for prefix and message: skips the buffer-writer plumbing that dominates small messages.
            var frame = writer.GetSpan(GrpcProtocol.HeaderSize + size);
            frame[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(frame[1..], (uint)size);
            message.WriteTo(frame.Slice(GrpcProtocol.HeaderSize, size));
            writer.Advance(GrpcProtocol.HeaderSize + size);
            return;
        }

        var span = writer.GetSpan(GrpcProtocol.HeaderSize);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        writer.Advance(GrpcProtocol.HeaderSize);
        message.WriteTo(writer);
    }

    /// <summary>One whole frame as an array (the client's request body).</summary>
    public static byte[] CreateFrame(IMessage message, int maxSize, bool compress, CompressionLevel level)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {maxSize}).");
        }

        if (compress)
        {
            var compressed = Compress(message, size, level);
            var frame = new byte[GrpcProtocol.HeaderSize + compressed.Length];
            frame[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)compressed.Length);
            compressed.CopyTo(frame.AsSpan(GrpcProtocol.HeaderSize));
            return frame;
        }

        var bytes = new byte[GrpcProtocol.HeaderSize + size];
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)size);
        message.WriteTo(bytes.AsSpan(GrpcProtocol.HeaderSize));
        return bytes;
    }

    private static byte[] Compress(IMessage message, int size, CompressionLevel level)
    {
        var raw = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            message.WriteTo(raw.AsSpan(0, size));
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, level, leaveOpen: true))
            {
                gzip.Write(raw, 0, size);
            }

            return output.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }
}
