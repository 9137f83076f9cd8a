import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Counts the commands a DynamoDB client sends, by command name, through a client middleware. */
export interface RequestCounter {
  readonly counts: Map<string, number>;
  count(commandName: string): number;
  reset(): void;
  /** Removes the middleware from the client. */
  remove(): void;
}

let counterNumber = 0;

export function countRequests(client: DynamoDBClient): RequestCounter {
  const counts = new Map<string, number>();
  counterNumber += 1;
  const name = `testRequestCounter${counterNumber}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    counts,
    count: (commandName) => counts.get(commandName) ?? 0,
    reset: () => counts.clear(),
    remove: () => client.middlewareStack.remove(name),
  };
}
