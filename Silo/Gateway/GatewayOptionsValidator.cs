using Microsoft.Extensions.Options;

namespace MultiRaft.Gateway;

/// <summary>Fails the host's start with <see cref="GatewayOptions.Validate"/>'s message.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
