using Platform.Gateway;

var app = GatewayApp.Build(WebApplication.CreateBuilder(args));
app.Run();

public partial class Program;
