import type { FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';
import { Kind, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { schemaProblems, ValidationError } from '../specs/validate.ts';
import { HttpProblem } from './errors.ts';

/**
 * Type provider for @sinclair/typebox 0.34, which specs/ uses. (@fastify/type-provider-typebox 6 is
 * built for the newer `typebox` 1.x package, whose schemas and Static type differ.)
 */
export interface TypeBoxProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

/**
 * Validates params, querystrings, headers and small bodies with TypeBox instead of Fastify's ajv,
 * whose defaults (removeAdditional, useDefaults) would silently strip unknown fields.
 * Strings from the URL are converted first (`?limit=5` is a number).
 */
export const typeBoxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  if (!(Kind in schema)) throw new Error(`route schema for ${httpPart} is not a TypeBox schema`);
  const check = TypeCompiler.Compile(schema);
  const prefix = httpPart === 'body' || !httpPart ? '' : `${httpPart}.`;
  return (input: unknown) => {
    const value = httpPart === 'body' ? input : Value.Convert(schema, input);
    if (check.Check(value)) return { value };
    return { error: HttpProblem.invalid(400, schemaProblems(check.Errors(value), prefix)) };
  };
};

/**
 * For routes whose body is a whole document: the body goes through specs/validate.ts (defaults,
 * cross-field rules, every problem with its path), so the API reports exactly what the CLI does.
 */
// Typed loosely: Fastify types a route-level compiler with the whole route schema object.
export function documentValidator(parse: (input: unknown) => unknown): FastifySchemaCompiler<any> {
  return (route) => {
    if (route.httpPart !== 'body') return typeBoxValidator(route as FastifyRouteSchemaDef<TSchema>);
    return (input: unknown) => {
      try {
        return { value: parse(input) };
      } catch (err) {
        if (err instanceof ValidationError) return { error: HttpProblem.invalid(422, err.problems) };
        throw err;
      }
    };
  };
}
