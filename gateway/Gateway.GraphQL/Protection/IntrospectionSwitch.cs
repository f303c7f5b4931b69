using Microsoft.Extensions.Hosting;

namespace Platform.Gateway.GraphQL.Protection;

/// <summary>
/// Whether introspection (and so the explorer) is answered: configuration <c>GraphQL:Introspection</c>, or by default
/// on in Development and Testing and off in every other environment, where a schema is learned from the docs.
/// </summary>
public sealed class IntrospectionSwitch(GraphQLOptions options, IHostEnvironment environment)
{
    public bool Enabled { get; } = options.Introspection ?? (environment.IsDevelopment() || environment.IsEnvironment("Testing"));

    public bool Explorer => options.Explorer ?? Enabled;
}
