using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Platform.Grpc.Client;
using Platform.Testing;
using Xunit;
using Health = Grpc.Health.V1;

namespace Platform.Consent.Api.Tests;

public class ConsentGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = ConsentReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("ConsentService");
    private static readonly Method<RegisterPatientRequest, Patient> Register = Method<RegisterPatientRequest, Patient>.From(Service, "RegisterPatient");
    private static readonly Method<GetPatientRequest, Patient> Get = Method<GetPatientRequest, Patient>.From(Service, "GetPatient");
    private static readonly Method<ListPatientsRequest, ListPatientsResponse> List = Method<ListPatientsRequest, ListPatientsResponse>.From(Service, "ListPatients");

    [Fact]
    public async Task A_patient_registered_over_grpc_is_found_by_id_and_listed_on_its_ward()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var created = await channel.UnaryCall(Register, new RegisterPatientRequest { NhsNumber = "999 000 0107", WardCode = "GRPC1", AgeBand = AgeBand._18To25 }, fixture.App.CallAs("RX3")).ResponseAsync;
        Assert.Equal("9990000107", created.NhsNumber);
        Assert.True(Guid.TryParse(created.PatientId, out _));

        var found = await channel.UnaryCall(Get, new GetPatientRequest { PatientId = created.PatientId }, fixture.App.CallAs("RX3")).ResponseAsync;
        Assert.Equal(("GRPC1", AgeBand._18To25), (found.WardCode, found.AgeBand));
        var listed = await channel.UnaryCall(List, new ListPatientsRequest { WardCode = "GRPC1" }, fixture.App.CallAs("RX3")).ResponseAsync;
        Assert.Equal([created.PatientId], listed.Patients.Select(p => p.PatientId));
    }

    [Fact]
    public async Task A_wrong_check_digit_comes_back_as_invalid_argument_naming_the_rule()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryCall(Register, new RegisterPatientRequest { NhsNumber = "9990000108", WardCode = "OAK", AgeBand = AgeBand._26To64 }, fixture.App.CallAs("RX3")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("check digit", error.Status.Detail);
        Assert.Equal("nhs-number.check-digit", error.Trailers.GetValue(RefusalStatus.RuleTrailer));
    }

    [Fact]
    public async Task A_call_without_a_token_is_unauthenticated_and_a_token_for_another_issuer_too()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var none = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(List, new ListPatientsRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(30))).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);

        var forged = new TestTokens().Mint("RX3"); // signed by a key the service does not trust
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(List, new ListPatientsRequest(),
            new CallOptions { Credentials = CallCredentials.BearerToken(forged) }.WithTimeout(TimeSpan.FromSeconds(30))).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrongKey.StatusCode);

        var expired = fixture.App.Tokens.Mint("RX3", lifetime: TimeSpan.FromMinutes(1), notBefore: DateTime.UtcNow.AddHours(-1));
        var late = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(List, new ListPatientsRequest(),
            new CallOptions { Credentials = CallCredentials.BearerToken(expired) }.WithTimeout(TimeSpan.FromSeconds(30))).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, late.StatusCode);
    }

    [Fact]
    public async Task Trust_B_cannot_get_list_or_collide_with_trust_As_patient_over_grpc()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var a = await channel.UnaryCall(Register, new RegisterPatientRequest { NhsNumber = "9990000115", WardCode = "GRPC2", AgeBand = AgeBand._26To64 }, fixture.App.CallAs("RX3")).ResponseAsync;

        var get = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(Get, new GetPatientRequest { PatientId = a.PatientId }, fixture.App.CallAs("RTQ")).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        var list = await channel.UnaryCall(List, new ListPatientsRequest { WardCode = "GRPC2" }, fixture.App.CallAs("RTQ")).ResponseAsync;
        Assert.Empty(list.Patients);
        // A body cannot choose the tenant: there is no tenant field, and the token said RTQ.
        var b = await channel.UnaryCall(Register, new RegisterPatientRequest { NhsNumber = "9990000115", WardCode = "GRPC2", AgeBand = AgeBand._26To64 }, fixture.App.CallAs("RTQ")).ResponseAsync;
        Assert.NotEqual(a.PatientId, b.PatientId);
    }

    [Fact]
    public async Task Grpc_health_serves_without_a_token()
    {
        using var channel = fixture.App.CreateGrpcChannel();
        var check = Method<Health.HealthCheckRequest, Health.HealthCheckResponse>.From(Health.HealthReflection.Descriptor.Services[0], "Check");
        var reply = await channel.UnaryCall(check, new Health.HealthCheckRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(30))).ResponseAsync;
        Assert.Equal(Health.HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }
}
