// Environment variable names as Kubernetes validates them (k8s.io/apimachinery validation.IsEnvVarName).
// Shared by the secrets and env rules because both become env entries of the same container.

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** apimachinery's message for an invalid env var name, so kubectl users recognise it. */
export const ENV_VAR_NAME_MESSAGE =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', " +
  "and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', " +
  "regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

export const isEnvVarName = (name: string): boolean => ENV_VAR_NAME.test(name);
