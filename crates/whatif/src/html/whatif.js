// ecsim what-if page: pointing at a variant (or a figure) picks it out in every chart and
// table; needs nothing from the network.
(function () {
  'use strict';
  var nodes = document.querySelectorAll('[data-key]');
  var byKey = {};
  var i;
  for (i = 0; i < nodes.length; i++) {
    var key = nodes[i].getAttribute('data-key');
    if (!Object.prototype.hasOwnProperty.call(byKey, key)) { byKey[key] = []; }
    byKey[key].push(nodes[i]);
  }
  function highlight(key, on) {
    var same = byKey[key] || [];
    for (var j = 0; j < same.length; j++) { same[j].classList.toggle('hot', on); }
  }
  function listen(node) {
    var key = node.getAttribute('data-key');
    node.addEventListener('mouseenter', function () { highlight(key, true); });
    node.addEventListener('mouseleave', function () { highlight(key, false); });
  }
  for (i = 0; i < nodes.length; i++) { listen(nodes[i]); }
  document.body.setAttribute('data-rendered', 'yes');
})();
