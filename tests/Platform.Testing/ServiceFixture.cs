using Xunit;

namespace Platform.Testing;

/// <summary>An xunit class fixture that hosts one service on its own fresh PostgreSQL database.</summary>
public abstract class ServiceFixture<TProgram>(string serviceName) : IAsyncLifetime where TProgram : class
{
    public ServiceFactory<TProgram> App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ServiceFactory<TProgram>.StartOnPostgresAsync(serviceName);

    public async Task DisposeAsync() => await App.DisposeAsync();
}
