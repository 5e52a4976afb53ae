// geo.js: chainage along the border line in the browser, to draw things the API gives in
// kilometres (patrol stretches, gaps, sectors). Great-circle distances on a sphere, like
// the node's domain/geo.c, so a km here lands where the node means it, to within metres.
const R = 6371.0088;
const rad = (d) => (d * Math.PI) / 180;

function dist(a, b) { // [lon, lat] pairs
  const dLat = rad(b[1] - a[1]);
  const dLon = rad(b[0] - a[0]);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[1])) * Math.cos(rad(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(s)));
}

// coords: GeoJSON LineString coordinates. Returns {coords, cum} (cumulative km per point).
export function measure(coords) {
  const cum = [0];
  for (let i = 1; i < coords.length; i++) cum.push(cum[i - 1] + dist(coords[i - 1], coords[i]));
  return { coords, cum, length: cum[cum.length - 1] };
}

function pointAt(line, km) {
  const { coords, cum } = line;
  if (km <= 0) return coords[0];
  for (let i = 1; i < coords.length; i++) {
    if (cum[i] >= km) {
      const f = (km - cum[i - 1]) / (cum[i] - cum[i - 1] || 1);
      return [coords[i - 1][0] + f * (coords[i][0] - coords[i - 1][0]), coords[i - 1][1] + f * (coords[i][1] - coords[i - 1][1])];
    }
  }
  return coords[coords.length - 1];
}

// Leaflet [lat, lon] points of the stretch [fromKm, toKm].
export function slice(line, fromKm, toKm) {
  const out = [pointAt(line, fromKm)];
  line.cum.forEach((c, i) => { if (c > fromKm && c < toKm) out.push(line.coords[i]); });
  out.push(pointAt(line, toKm));
  return out.map(([lon, lat]) => [lat, lon]);
}

export function latLngAt(line, km) {
  const [lon, lat] = pointAt(line, km);
  return [lat, lon];
}
