using Google.Rpc;
using Grpc.Core;
using Platform.Domain;
using Platform.Grpc.Interceptors;

namespace Platform.Grpc.Tests;

/// <summary>
/// What a client reads from a refusal's rich status for method paths and rule codes of every shape: the ErrorInfo
/// domain (the proto package without its version) and the field an invalid-input rule names.
/// </summary>
public sealed class RefusalDetailTests
{
    [Theory]
    [InlineData("/platform.consent.v1.ConsentService/CheckUse", "platform.consent")]
    [InlineData("/platform.consent.v10.ConsentService/CheckUse", "platform.consent")]
    [InlineData("/platform.vendor.VendorService/List", "platform.vendor")] // "v" not followed by a digit is no version
    [InlineData("/acme.a1.Service/Get", "acme.a1")] // a digit after another letter is no version either
    [InlineData("/acme.v.Service/Get", "acme.v")] // a package ending in "v"
    [InlineData("/v1.Echo/Say", "v1")] // a package that is only a version keeps it: nothing else could name the domain
    [InlineData("/Echo/Say", "Echo")] // no package: the service itself
    public void The_error_domain_is_the_methods_proto_package_without_its_version(string method, string domain)
    {
        var status = CallPolicyInterceptor.ToRpcException(Refusal.NotFound("patient.not-found", "No such patient in your trust.").ToException(), method).GetRpcStatus();
        Assert.Equal(domain, status?.GetDetail<ErrorInfo>()?.Domain);
    }

    [Theory]
    [InlineData("nhs-number.check-digit", "nhs_number")]
    [InlineData("ward-code.format", "ward_code")]
    [InlineData("page-size", "page_size")] // a rule that is only the field's name
    public void An_invalid_input_refusal_names_the_field_its_rule_starts_with(string rule, string field)
    {
        var status = CallPolicyInterceptor.ToRpcException(Refusal.Invalid(rule, "Bad input.").ToException(), "/platform.consent.v1.ConsentService/RecordConsent").GetRpcStatus();
        Assert.Equal(field, Assert.Single(status!.GetDetail<BadRequest>()!.FieldViolations).Field);
        Assert.Equal(field, status.GetDetail<ErrorInfo>()!.Metadata["field"]);
    }

    [Fact]
    public void A_role_requirement_names_at_least_one_role()
    {
        var refused = Assert.Throws<ArgumentException>(() => new RequiresRoleAttribute());
        Assert.Equal(("roles", "Name at least one role. (Parameter 'roles')"), (refused.ParamName, refused.Message));
        Assert.Equal(["auditor"], new RequiresRoleAttribute("auditor").Roles);
    }

    [Fact]
    public void A_refusal_kind_outside_the_known_ones_ends_the_call_as_unknown() =>
        Assert.Equal(StatusCode.Unknown, CallPolicyInterceptor.ToStatusCode((RefusalKind)99));
}
