// views.js: the registry of the console's views. A view is one module that calls
// registerView({id, labelKey, order, shortcut, create(ctx)}); create returns
// {el, show(), hide(), refresh()}. The shell builds the navigation from the registry, so a new
// view (intelligence, meetings, TAK) is one new module and one import in main.js.
const registry = new Map();

export function registerView(def) {
  if (registry.has(def.id)) throw new Error(`view ${def.id} registered twice`);
  registry.set(def.id, def);
}

export function allViews() {
  return [...registry.values()].sort((a, b) => a.order - b.order);
}
