using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Platform.Grpc.Rest;

/// <summary>
/// Answers a failed REST/JSON call (a gRPC method reached through JSON transcoding) with RFC 9457 problem details
/// instead of the transcoder's google.rpc.Status JSON: <c>type</c> <c>urn:platform:rule:&lt;rule code&gt;</c> and the
/// <c>code</c> extension carry ErrorInfo's reason, <c>domain</c> and <c>metadata</c> its other fields, and <c>errors</c>
/// lists BadRequest's field violations by their JSON names. The HTTP status is the transcoder's mapping of the gRPC code.
/// </summary>
/// <remarks>
/// Microsoft.AspNetCore.Grpc.JsonTranscoding has no hook for its error body, so the error body it writes (a few hundred
/// bytes) is held back here and rewritten; a successful response passes straight through.
/// </remarks>
internal sealed class RestProblemDetailsMiddleware(RequestDelegate next)
{
    /// <summary>The prefix of a refusal's problem type; the rule code follows it.</summary>
    public const string RuleTypePrefix = "urn:platform:rule:";

    internal static readonly TypeRegistry ErrorDetailTypes = TypeRegistry.FromMessages(ErrorInfo.Descriptor, BadRequest.Descriptor);
    private static readonly JsonParser s_parser = new(JsonParser.Settings.Default.WithTypeRegistry(ErrorDetailTypes).WithIgnoreUnknownFields(true));

    // Every request passes here, gRPC ones too: those go straight on, with no async frame of this middleware's.
    public Task InvokeAsync(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is null ? next(context) : TranscodedAsync(context);

    private async Task TranscodedAsync(HttpContext context)
    {
        var body = context.Response.Body;
        var errorBody = new ErrorBodyCapture(body, context.Response);
        context.Response.Body = errorBody;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        if (errorBody.Captured is { } captured && !context.Response.HasStarted)
        {
            await TypedResults.Problem(ToProblem(context.Response.StatusCode, captured)).ExecuteAsync(context);
        }
    }

    private static ProblemDetails ToProblem(int httpStatus, MemoryStream captured)
    {
        var problem = new ProblemDetails { Status = httpStatus };
        Google.Rpc.Status status;
        try
        {
            status = s_parser.Parse<Google.Rpc.Status>(new StreamReader(new MemoryStream(captured.GetBuffer(), 0, (int)captured.Length)));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
        {
            return problem;
        }

        problem.Detail = status.Message;
        if (status.GetDetail<ErrorInfo>() is { } info)
        {
            problem.Type = RuleTypePrefix + info.Reason;
            problem.Extensions["code"] = info.Reason;
            problem.Extensions["domain"] = info.Domain;
            if (info.Metadata.Count > 0) problem.Extensions["metadata"] = new Dictionary<string, string>(info.Metadata);
        }
        if (status.GetDetail<BadRequest>() is { } badRequest)
        {
            problem.Extensions["errors"] = badRequest.FieldViolations
                .Select(v => new FieldError(JsonName(v.Field), v.Reason, v.Description))
                .ToArray();
        }
        return problem;
    }

    /// <summary>One invalid field, named as the caller's JSON names it.</summary>
    private sealed record FieldError(string Field, string Reason, string Description);

    // "nhs_number" -> "nhsNumber": the name the REST caller sent (protobuf's JSON mapping of a field name).
    private static string JsonName(string protoField)
    {
        var name = new System.Text.StringBuilder(protoField.Length);
        var upper = false;
        foreach (var c in protoField)
        {
            if (c == '_') upper = true;
            else
            {
                name.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
        }
        return name.ToString();
    }

    /// <summary>The response body while the transcoder runs: passes writes through until the status is an error, then keeps them.</summary>
    private sealed class ErrorBodyCapture(Stream inner, Microsoft.AspNetCore.Http.HttpResponse response) : Stream
    {
        public MemoryStream? Captured { get; private set; }

        private Stream Target => response.StatusCode >= StatusCodes.Status400BadRequest && !response.HasStarted
            ? Captured ??= new MemoryStream()
            : Captured ?? inner;

        public override void Write(byte[] buffer, int offset, int count) => Target.Write(buffer, offset, count);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Target.WriteAsync(buffer, offset, count, cancellationToken);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => Target.WriteAsync(buffer, cancellationToken);
        public override void Flush() => (Captured is null ? inner : Stream.Null).Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => Captured is null ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
