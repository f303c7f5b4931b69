using Google.Rpc;
using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Platform.Testing;
using Xunit;
using Health = Grpc.Health.V1;

namespace Platform.Consent.Api.Tests;

public class ConsentGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private ConsentService.ConsentServiceClient As(string tenant) => fixture.App.GrpcClient<ConsentService.ConsentServiceClient>(tenant);

    [Fact]
    public async Task A_patient_registered_over_grpc_is_found_by_id_and_listed_on_its_ward()
    {
        var created = await As("RX3").RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = "999 000 0107", WardCode = "GRPC1", AgeBand = AgeBand._18To25 });
        Assert.Equal("9990000107", created.NhsNumber);
        Assert.True(Guid.TryParse(created.PatientId, out _));

        var found = await As("RX3").GetPatientAsync(new GetPatientRequest { PatientId = created.PatientId });
        Assert.Equal(("GRPC1", AgeBand._18To25), (found.WardCode, found.AgeBand));
        var listed = await As("RX3").ListPatientsAsync(new ListPatientsRequest { WardCode = "GRPC1" });
        Assert.Equal([created.PatientId], listed.Patients.Select(p => p.PatientId));
    }

    [Fact]
    public async Task A_wrong_check_digit_comes_back_as_invalid_argument_naming_the_rule_and_the_field()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            As("RX3").RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = "9990000108", WardCode = "OAK", AgeBand = AgeBand._26To64 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("check digit", error.Status.Detail);
        Assert.Equal("nhs-number.check-digit", error.Trailers.GetValue(RefusalStatus.RuleTrailer));

        // The same refusal in the standard rich error model, for clients that read google.rpc.Status.
        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal((int)Code.InvalidArgument, status.Code);
        Assert.Equal(error.Status.Detail, status.Message);
        var info = status.GetDetail<ErrorInfo>();
        Assert.Equal(("nhs-number.check-digit", "platform.consent", "nhs_number"), (info?.Reason, info?.Domain, info?.Metadata["field"]));
        var violation = Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal(("nhs_number", "nhs-number.check-digit"), (violation.Field, violation.Reason));
        Assert.Contains("check digit", violation.Description);
    }

    [Fact]
    public async Task A_call_without_a_token_is_unauthenticated_and_a_token_for_another_issuer_too()
    {
        var anonymous = fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(null);
        var none = await Assert.ThrowsAsync<RpcException>(() => anonymous.ListPatientsAsync(new ListPatientsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);

        var forged = fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(new TestTokens().Mint("RX3")); // signed by a key the service does not trust
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() => forged.ListPatientsAsync(new ListPatientsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrongKey.StatusCode);

        var expired = fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(
            fixture.App.Tokens.Mint("RX3", lifetime: TimeSpan.FromMinutes(1), notBefore: DateTime.UtcNow.AddHours(-1)));
        var late = await Assert.ThrowsAsync<RpcException>(() => expired.ListPatientsAsync(new ListPatientsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, late.StatusCode);
    }

    [Fact]
    public async Task Trust_B_cannot_get_list_or_collide_with_trust_As_patient_over_grpc()
    {
        var a = await As("RX3").RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = "9990000115", WardCode = "GRPC2", AgeBand = AgeBand._26To64 });

        var get = await Assert.ThrowsAsync<RpcException>(() => As("RTQ").GetPatientAsync(new GetPatientRequest { PatientId = a.PatientId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        var list = await As("RTQ").ListPatientsAsync(new ListPatientsRequest { WardCode = "GRPC2" });
        Assert.Empty(list.Patients);
        // A body cannot choose the tenant: there is no tenant field, and the token said RTQ.
        var b = await As("RTQ").RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = "9990000115", WardCode = "GRPC2", AgeBand = AgeBand._26To64 });
        Assert.NotEqual(a.PatientId, b.PatientId);
    }

    [Fact]
    public async Task Grpc_health_serves_without_a_token()
    {
        var health = fixture.App.GrpcClientWithToken<Health.Health.HealthClient>(null);
        var reply = await health.CheckAsync(new Health.HealthCheckRequest());
        Assert.Equal(Health.HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        var named = await health.CheckAsync(new Health.HealthCheckRequest { Service = "platform.consent.v1.ConsentService" });
        Assert.Equal(Health.HealthCheckResponse.Types.ServingStatus.Serving, named.Status);
    }
}
