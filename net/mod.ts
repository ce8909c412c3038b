/**
 * Placeholder for the net module, filled by its issue.
 *
 * @module
 */

export {};
