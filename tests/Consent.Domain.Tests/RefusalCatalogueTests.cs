using System.Reflection;
using System.Text.RegularExpressions;
using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

public partial class RefusalCatalogueTests
{
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*\\.[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex RuleShape();

    private static List<Refusal> CachedRefusals() =>
        typeof(LawfulBasisRules).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(f => f.FieldType == typeof(Refusal))
            .Select(f => (Refusal)f.GetValue(null)!)
            .ToList();

    [Fact]
    public void Every_refusal_names_a_stable_rule_and_says_what_to_do()
    {
        var refusals = CachedRefusals();
        Assert.True(refusals.Count > 60, $"only {refusals.Count} refusals found");
        Assert.All(refusals, r =>
        {
            Assert.Matches(RuleShape(), r.Rule);
            Assert.True(r.Message.Length >= 20 && r.Message.EndsWith('.'), r.Rule);
            Assert.DoesNotContain("{", r.Message);
        });
    }

    [Fact]
    public void Each_rule_code_means_one_thing()
    {
        var duplicates = CachedRefusals().GroupBy(r => r.Rule).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
    }

    [Fact]
    public void The_lawful_basis_table_refuses_with_failed_precondition_and_incomplete_records_with_invalid_argument()
    {
        Assert.All(CachedRefusals().Where(r => r.Rule.StartsWith("lawful-basis.", StringComparison.Ordinal) && !r.Rule.EndsWith("-missing", StringComparison.Ordinal)),
            r => Assert.Equal(RefusalKind.FailedPrecondition, r.Kind));
        Assert.All(CachedRefusals().Where(r => r.Rule.EndsWith("-missing", StringComparison.Ordinal)),
            r => Assert.Equal(RefusalKind.InvalidArgument, r.Kind));
    }
}
