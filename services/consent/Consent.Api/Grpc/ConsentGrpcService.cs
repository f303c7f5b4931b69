using Platform.Consent.Api.Application;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Platform.Grpc.Server;
using Platform.ServiceDefaults.Grpc;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Grpc;

/// <summary>platform.consent.v1.ConsentService: maps messages to commands and results back; the rules live below it.</summary>
[GrpcService(typeof(ConsentReflection))]
public sealed class ConsentGrpcService(PatientRegistry registry)
{
    public async Task<Patient> RegisterPatient(RegisterPatientRequest request, ServerCallContext context) =>
        ToMessage((await registry.RegisterAsync(new RegisterPatient(request.NhsNumber, request.WardCode, (Domain.AgeBand)request.AgeBand), context.CancellationToken)).OrThrow());

    public async Task<Patient> GetPatient(GetPatientRequest request, ServerCallContext context) =>
        ToMessage((await registry.GetAsync(request.PatientId, context.CancellationToken)).OrThrow());

    public async Task<ListPatientsResponse> ListPatients(ListPatientsRequest request, ServerCallContext context)
    {
        var page = (await registry.ListAsync(request.WardCode, request.PageSize, request.PageToken, context.CancellationToken)).OrThrow();
        var response = new ListPatientsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Patients.AddRange(page.Patients.Select(ToMessage));
        return response;
    }

    private static Patient ToMessage(Domain.Patient p) => new()
    {
        PatientId = p.Id.ToString(),
        NhsNumber = p.NhsNumber,
        WardCode = p.WardCode,
        AgeBand = (AgeBand)p.AgeBand,
        RegisteredAt = p.RegisteredAt.ToTimestamp(),
    };
}
