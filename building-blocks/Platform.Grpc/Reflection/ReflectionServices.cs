using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using Platform.Grpc.Server;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Platform.Grpc.Reflection;

/// <summary>Answers reflection requests from the registry of mapped services and their .proto files.</summary>
internal sealed class ReflectionCore(GrpcServiceRegistry registry)
{
    public ServerReflectionResponse Handle(ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                response.ListServicesResponse = new ListServiceResponse();
                response.ListServicesResponse.Service.AddRange(
                    registry.Services.Select(s => new ServiceResponse { Name = s.FullName }));
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFile(response, registry.FindFileByName(request.FileByFilename), $"File not found: {request.FileByFilename}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFile(response, registry.FindFileBySymbol(request.FileContainingSymbol), $"Symbol not found: {request.FileContainingSymbol}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                // proto3 services here declare no extensions: a known type has none, an unknown one is NOT_FOUND.
                if (registry.FindFileBySymbol(request.AllExtensionNumbersOfType) is null)
                {
                    SetError(response, StatusCode.NotFound, $"Type not found: {request.AllExtensionNumbersOfType}");
                }
                else
                {
                    response.AllExtensionNumbersResponse = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                }

                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                SetError(response, StatusCode.NotFound, $"Extension not found: {request.FileContainingExtension.ContainingType}({request.FileContainingExtension.ExtensionNumber})");
                break;
            default:
                SetError(response, StatusCode.InvalidArgument, "The request names no reflection query.");
                break;
        }

        return response;
    }

    private static void SetFile(ServerReflectionResponse response, FileDescriptor? file, string notFound)
    {
        if (file is null)
        {
            SetError(response, StatusCode.NotFound, notFound);
            return;
        }

        // The file first, then everything it imports (transitively), so a client can build the descriptors in one round trip.
        var files = new List<FileDescriptor>();
        Collect(file, files);
        response.FileDescriptorResponse = new FileDescriptorResponse();
        response.FileDescriptorResponse.FileDescriptorProto.AddRange(files.Select(f => f.SerializedData));
    }

    private static void Collect(FileDescriptor file, List<FileDescriptor> files)
    {
        if (files.Contains(file))
        {
            return;
        }

        files.Add(file);
        foreach (var dependency in file.Dependencies)
        {
            Collect(dependency, files);
        }
    }

    private static void SetError(ServerReflectionResponse response, StatusCode code, string message) =>
        response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };
}

/// <summary>grpc.reflection.v1.ServerReflection.</summary>
[GrpcService(typeof(ReflectionReflection))]
internal sealed class ReflectionServiceV1(ReflectionCore core)
{
    public async Task ServerReflectionInfo(
        IAsyncStreamReader<ServerReflectionRequest> requests, IServerStreamWriter<ServerReflectionResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken))
        {
            await responses.WriteAsync(core.Handle(requests.Current));
        }
    }
}

/// <summary>grpc.reflection.v1alpha.ServerReflection: the same messages on the wire, so it converts through bytes.</summary>
[GrpcService(typeof(V1Alpha.ReflectionReflection))]
internal sealed class ReflectionServiceV1Alpha(ReflectionCore core)
{
    public async Task ServerReflectionInfo(
        IAsyncStreamReader<V1Alpha.ServerReflectionRequest> requests, IServerStreamWriter<V1Alpha.ServerReflectionResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken))
        {
            var request = ServerReflectionRequest.Parser.ParseFrom(requests.Current.ToByteString());
            var response = core.Handle(request);
            await responses.WriteAsync(V1Alpha.ServerReflectionResponse.Parser.ParseFrom(response.ToByteString()));
        }
    }
}
